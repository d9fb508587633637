// Host validation. No DNS lookups here: whether a name resolves is the probe's business.
#include "config/host_syntax.h"

#include <algorithm>
#include <cctype>

#include "common/error.h"
#include "common/probe_spec.h"

namespace proxywatch::config {
namespace {

constexpr std::size_t kMaxNameLength = 253;  // RFC 1035 §2.3.4, without the final dot
constexpr std::size_t kMaxLabelLength = 63;

bool is_name_char(char c) {
  // '_' is not legal in host names (RFC 1123 §2.1) but appears in real internal names and
  // getaddrinfo resolves them, so refusing it would only get in the operator's way.
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
}

std::string describe_char(char c) {
  auto byte = static_cast<unsigned char>(c);
  if (byte == ' ') return "' ' (space)";
  if (byte < 0x20 || byte >= 0x7f) {
    static constexpr char kHex[] = "0123456789abcdef";
    return std::string("byte 0x") + kHex[byte >> 4] + kHex[byte & 0xf];
  }
  return std::string("'") + c + "'";
}

Result<std::string> parse_bracketed(std::string_view text) {
  auto close = text.find(']');
  if (close == std::string_view::npos) return error_text("has '[' without a closing ']'");
  if (close + 1 != text.size()) return error_text("has text after ']'");
  std::string inner(text.substr(1, close - 1));
  if (inner.find(':') == std::string::npos || !is_ip_literal(inner)) {
    return error_text("is not a valid IPv6 address");
  }
  return {boost::system::in_place_value, std::move(inner)};
}

Result<std::string> parse_with_colon(std::string_view text) {
  std::string host(text);
  if (is_ip_literal(host)) return {boost::system::in_place_value, std::move(host)};
  if (std::count(text.begin(), text.end(), ':') == 1) {
    return error_text("contains a port; give the host alone");
  }
  return error_text("is not a valid IPv6 address");
}

std::optional<std::string> label_error(std::string_view label) {
  if (label.empty()) return "has an empty label (two dots in a row, or a leading dot)";
  if (label.size() > kMaxLabelLength) return "has a label longer than 63 characters";
  if (label.front() == '-' || label.back() == '-') {
    return "has a label that starts or ends with '-'";
  }
  return std::nullopt;
}

Result<std::string> parse_name(std::string_view text) {
  auto bad = std::find_if_not(text.begin(), text.end(), is_name_char);
  if (bad != text.end()) return error_text("contains invalid character " + describe_char(*bad));
  std::string_view name = text.ends_with('.') ? text.substr(0, text.size() - 1) : text;
  if (name.size() > kMaxNameLength) return error_text("is longer than 253 characters");
  std::string_view last;
  for (std::size_t start = 0;;) {
    auto dot = name.find('.', start);
    last = name.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (auto error = label_error(last)) return error_text(*error);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  // An all-numeric last label is never a top-level domain (RFC 3696 §2): the text was meant
  // as an IPv4 address.
  bool numeric = std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (numeric && !is_ip_literal(text)) return error_text("is not a valid IPv4 address");
  return {boost::system::in_place_value, std::string(text)};
}

}  // namespace

Result<std::string> parse_host(std::string_view text) {
  if (text.empty()) return error_text("is empty");
  if (text.find("://") != std::string_view::npos) {
    return error_text("is a URL; give only the host name or address");
  }
  if (text.starts_with('[')) return parse_bracketed(text);
  if (text.find(':') != std::string_view::npos) return parse_with_colon(text);
  return parse_name(text);
}

}  // namespace proxywatch::config
