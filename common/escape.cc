// The escaping rules for untrusted text.
#include "common/escape.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace proxywatch {
namespace {

bool is_control(char c) {
  auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7f;
}

void append_control(std::string& out, char c) {
  switch (c) {
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default:
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
  }
}

}  // namespace

std::string printable(std::string_view text, std::size_t max) {
  std::string out;
  out.reserve(std::min(text.size(), max));
  for (char c : text.substr(0, max)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  return out;
}

std::string_view cut_utf8(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t end = limit;
  // Continuation bytes are 10xxxxxx; back up to the start of the sequence they belong to.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

std::string escape_control(std::string_view text, std::size_t max_bytes) {
  std::string_view kept = cut_utf8(text, max_bytes);
  std::string out;
  out.reserve(kept.size());
  for (char c : kept) {
    if (is_control(c)) {
      append_control(out, c);
    } else {
      out += c;
    }
  }
  if (kept.size() < text.size()) out += "...";
  return out;
}

std::string in_quotes(std::string_view text, std::size_t max) {
  std::string out = "\"";
  for (char c : text.substr(0, max)) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (is_control(c) || static_cast<unsigned char>(c) >= 0x80) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
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
  if (n == text.size()) return in_quotes(text);
  if (n == 0) return "a word of " + std::to_string(text.size()) + " bytes";
  return "a word starting " + in_quotes(text.substr(0, n));
}

std::string quoted_if_needed(std::string_view text) {
  bool plain = !text.empty() && text.find_first_of(" \"\\()=") == std::string_view::npos;
  return plain ? std::string(text) : in_quotes(text);
}

std::string http_quoted_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        // Control characters are not allowed in HTML text (HTML §13.1.4); show them as U+FFFD.
        out += is_control(c) && c != '\n' && c != '\t' ? std::string_view("\xef\xbf\xbd")
                                                       : std::string_view(&c, 1);
    }
  }
  return out;
}

}  // namespace proxywatch
