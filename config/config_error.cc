// Formatting of configuration errors and warnings.
#include "config/config_error.h"

#include <stdexcept>

namespace proxywatch::config {
namespace {

std::string format(const std::string& file, int line, int column, const std::string& message) {
  if (line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

}  // namespace

std::string ConfigError::to_string() const {
  return format(file, line, column, message);
}

std::string ConfigWarning::to_string() const {
  return format(file, line, column, message);
}

void throw_exception_from_error(const ConfigError& error, const boost::source_location&) {
  throw std::logic_error("configuration error used as a value: " + error.to_string());
}

}  // namespace proxywatch::config
