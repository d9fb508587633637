// What looks wrong in a configuration file but is accepted: a value that names the file, the
// line and column, the key and what is suspicious (an unknown key, a value FMC itself will
// reject). What cannot be used is an Error with a FilePosition (common/error.h), returned as a
// Result; only bugs throw.
#pragma once

#include <string>

#include "common/error.h"
#include "common/escape.h"

namespace proxywatch::config {

// Something accepted but probably wrong (an unknown key, a value FMC itself will reject).
struct ConfigWarning {
  FilePosition where;
  std::string message;
  friend bool operator==(const ConfigWarning&, const ConfigWarning&) = default;

  // Same form as Error::to_string(): "file:line:column: message", or "file: message".
  std::string to_string() const;
};

}  // namespace proxywatch::config
