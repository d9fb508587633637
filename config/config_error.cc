// Formatting of configuration warnings.
#include "config/config_error.h"

namespace proxywatch::config {

std::string ConfigWarning::to_string() const {
  return Error{.message = message, .where = where}.to_string();
}

}  // namespace proxywatch::config
