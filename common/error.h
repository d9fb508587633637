// The one error vocabulary (STYLE.md): what fails because of input — a configuration file, a
// command line, a state file, an answer from the network — is a Result<T> whose Error says in
// one sentence what is wrong and, when a file is concerned, where (file, line, column, key).
// Only start-up and bugs throw. Errors never quote a secret: whoever builds one names the key
// and the line, never a password's value.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

namespace proxywatch {

// Where in a file something is wrong. line and column are 1-based (a tab is one column); 0 when
// the error concerns the whole file (then column is 0 too).
struct FilePosition {
  std::string file{};  // the path or source name as given
  int line = 0;
  int column = 0;
  std::string key_path{};  // "PROXY_PORT", "targets[1].timeouts.dns"; empty when no key applies
  friend bool operator==(const FilePosition&, const FilePosition&) = default;
};

struct Error {
  enum class Kind {
    kInvalid,     // the input does not parse or a value is not allowed
    kNotFound,    // something named explicitly does not exist
    kUnreadable,  // it exists but cannot be read
  };

  Kind kind = Kind::kInvalid;
  // Complete on its own: names the key and, except for secrets, the offending value.
  std::string message;
  std::optional<FilePosition> where{};  // for an error in a file
  std::error_code code{};               // the system's error behind it (ENOENT, ELOOP …), if any

  // "file:line:column: message", "file: message" without a line, or the message alone.
  std::string to_string() const;
  friend bool operator==(const Error&, const Error&) = default;
};

template <class T>
using Result = boost::system::result<T, Error>;

// What a check that produces nothing returns: no error, or the error with its position.
using MaybeError = std::optional<Error>;

// An Error of Kind::kInvalid that is only a message (no file, no system error).
inline Error error_text(std::string message) {
  return Error{.message = std::move(message)};
}

// An Error in `file` at `line`:`column` (0: the whole file), for `key_path` ("" for none).
Error file_error(std::string file, int line, int column, std::string key_path, std::string message,
                 Error::Kind kind = Error::Kind::kInvalid);

// `error` with `context` put before its message: in_context("--proxy: ", e) says
// "--proxy: missing port" where e said "missing port".
Error in_context(std::string_view context, Error error);

// The system's text for an errno value ("No such file or directory").
inline std::string errno_text(int error) {
  return std::system_category().message(error);
}

// Lets Result<T>::value() throw: calling value() on an error is a bug, so this throws
// std::logic_error carrying the error's text.
[[noreturn]] void throw_exception_from_error(const Error& error,
                                             const boost::source_location& location);

// Writes error.to_string(): for messages to a stream and for test failures.
std::ostream& operator<<(std::ostream& out, const Error& error);

}  // namespace proxywatch

// Formats error.to_string() in fmt and spdlog messages.
template <>
struct fmt::formatter<proxywatch::Error> : fmt::formatter<std::string_view> {
  template <class Context>
  auto format(const proxywatch::Error& error, Context& context) const {
    return fmt::formatter<std::string_view>::format(error.to_string(), context);
  }
};
