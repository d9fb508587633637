// What goes wrong, or looks wrong, in a configuration file: a value that names the file, the
// line and column, the key and what is wrong, so an operator can fix it without guessing.
// Errors caused by input are returned as these values; only bugs throw.
#pragma once

#include <string>
#include <string_view>

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include "common/escape.h"

namespace proxywatch::config {

// A configuration file that cannot be used. `message` is complete on its own (it names the key
// and, except for secrets, the offending value); `key_path` repeats the key for programs.
struct ConfigError {
  enum class Kind {
    kInvalid,     // the text does not parse or a value is not allowed
    kNotFound,    // a file named explicitly does not exist
    kUnreadable,  // the file exists but cannot be read
  };

  Kind kind = Kind::kInvalid;
  std::string file;      // path or source name as given
  int line = 0;          // 1-based; 0 when the error concerns the whole file
  int column = 0;        // 1-based byte column (a tab is one column); 0 with line 0
  std::string key_path;  // "PROXY_PORT", "targets[1].timeouts.dns"; empty when no key applies
  std::string message;

  // "file:line:column: message", or "file: message" when there is no line.
  std::string to_string() const;
};

// Something accepted but probably wrong (an unknown key, a value FMC itself will reject).
struct ConfigWarning {
  std::string file;
  int line = 0;
  int column = 0;
  std::string key_path;
  std::string message;
  friend bool operator==(const ConfigWarning&, const ConfigWarning&) = default;

  // Same form as ConfigError::to_string().
  std::string to_string() const;
};

// What loading or parsing a configuration file returns: the value, or the error with its
// position. The config stage's counterpart of TextResult (common/text_result.h), whose errors
// have no file position.
template <class T>
using ConfigResult = boost::system::result<T, ConfigError>;

// Lets ConfigResult<T>::value() throw; calling value() on an error is a
// bug, so this throws std::logic_error carrying the error's text.
[[noreturn]] void throw_exception_from_error(const ConfigError& error,
                                             const boost::source_location& location);

}  // namespace proxywatch::config
