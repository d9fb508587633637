// Formatting of configuration errors and warnings.
#include "config/config_error.h"

#include <cctype>
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

std::string quoted(std::string_view text, std::size_t max) {
  std::string out = "\"";
  for (char c : text.substr(0, max)) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte >= 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
  if (text.size() > max) out += "...";
  return out;
}

std::string quoted_token(std::string_view text) {
  constexpr std::size_t kMaxToken = 24;
  auto plain = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  };
  std::size_t n = 0;
  while (n < text.size() && n < kMaxToken && plain(text[n])) ++n;
  if (n == text.size()) return quoted(text);
  if (n == 0) return "a word of " + std::to_string(text.size()) + " bytes";
  return "a word starting " + quoted(text.substr(0, n));
}

void throw_exception_from_error(const ConfigError& error, const boost::source_location&) {
  throw std::logic_error("configuration error used as a value: " + error.to_string());
}

}  // namespace proxywatch::config
