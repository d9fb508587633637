// Formatting of errors.
#include "common/error.h"

#include <ostream>
#include <stdexcept>

namespace proxywatch {

std::string Error::to_string() const {
  if (!where) return message;
  if (where->line <= 0) return where->file + ": " + message;
  return where->file + ":" + std::to_string(where->line) + ":" + std::to_string(where->column) +
         ": " + message;
}

Error file_error(std::string file, int line, int column, std::string key_path, std::string message,
                 Error::Kind kind) {
  return Error{.kind = kind,
               .message = std::move(message),
               .where = FilePosition{std::move(file), line, column, std::move(key_path)}};
}

Error in_context(std::string_view context, Error error) {
  error.message.insert(0, context);
  return error;
}

void throw_exception_from_error(const Error& error, const boost::source_location&) {
  throw std::logic_error("an error used as a value: " + error.to_string());
}

std::ostream& operator<<(std::ostream& out, const Error& error) {
  return out << error.to_string();
}

}  // namespace proxywatch
