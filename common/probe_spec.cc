// Parsing of the small text forms a ProbeSpec is made from (host:port, "HEAD /").
#include "common/probe_spec.h"
#include "common/error.h"
#include "common/escape.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>
#include <boost/asio/ip/address.hpp>

namespace proxywatch {
namespace {

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

Result<HostPort> finish(std::string host, std::string_view port_text, bool has_port,
                        std::optional<std::uint16_t> default_port, std::string_view text) {
  if (host.empty()) return error_text("missing host in '" + std::string(text) + "'");
  if (!has_port) {
    if (!default_port)
      return error_text("missing port in '" + std::string(text) + "' (expected HOST:PORT)");
    return HostPort{std::move(host), *default_port};
  }
  auto port = parse_port(port_text);
  if (!port) {
    return error_text("port '" + std::string(port_text) + "' in '" + std::string(text) +
                      "' is not a number from 1 to 65535");
  }
  return HostPort{std::move(host), *port};
}

// "::1:3161" is itself a valid IPv6 address, so a port written after a bare IPv6 literal is
// silently part of the address (RFC 3986 §3.2.2 requires the brackets). The bare literal `text`
// (last colon at `colon`) is refused with the bracketed form to write instead when a port is
// required, or when it ends in ":<port-like>" after an address; nullopt: take it as it is.
std::optional<std::string> bracket_fix(std::string_view text, std::size_t colon,
                                       bool has_default_port) {
  std::string_view before = text.substr(0, colon);
  std::string_view last = text.substr(colon + 1);
  bool port_like = !last.empty() && last.size() <= 5 &&
                   last.find_first_not_of("0123456789") == std::string_view::npos &&
                   parse_port(last).has_value();
  bool address_before = before.find(':') != std::string_view::npos && is_ip_literal(before);
  if (port_like && address_before && !has_default_port) {
    return fmt::format(
        "missing port in '{}' (a bare IPv6 address cannot carry one): write an IPv6 address "
        "with a port in brackets: [{}]:{}",
        text, before, last);
  }
  if (port_like && address_before) {
    return fmt::format(
        "'{}' is ambiguous: write an IPv6 address with a port in brackets: [{}]:{} (or [{}] for "
        "the address alone)",
        text, before, last, text);
  }
  if (has_default_port) return std::nullopt;
  return fmt::format(
      "missing port in '{}': write an IPv6 address with a port in brackets: [{}]:PORT", text, text);
}

}  // namespace

std::string HostPort::to_string() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return out + ":" + std::to_string(port);
}

bool is_ip_literal(std::string_view host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(std::string(host), ec);
  return !ec;
}

Result<HostPort> parse_host_port(std::string_view text, std::optional<std::uint16_t> default_port) {
  if (text.starts_with('[')) {
    auto close = text.find(']');
    if (close == std::string_view::npos)
      return error_text("unclosed '[' in '" + std::string(text) + "'");
    std::string host(text.substr(1, close - 1));
    if (!is_ip_literal(host)) return error_text("'" + host + "' is not an IPv6 address");
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) {
      return error_text("unexpected '" + std::string(rest) + "' after ']' in '" +
                        std::string(text) + "'");
    }
    return finish(std::move(host), rest.empty() ? rest : rest.substr(1), !rest.empty(),
                  default_port, text);
  }
  auto colon = text.rfind(':');
  if (colon != std::string_view::npos && text.find(':') != colon) {
    // Two or more colons and no brackets: a bare IPv6 address, which cannot carry a port.
    if (!is_ip_literal(text))
      // fmt rather than "'" + std::string(text): GCC 12 at -O3 reports a false -Wrestrict on
      // operator+(const char*, std::string&&) here (GCC PR 105329).
      return error_text(fmt::format("'{}' is not a valid address", text));
    if (auto fix = bracket_fix(text, colon, default_port.has_value())) return error_text(*fix);
    return finish(std::string(text), {}, false, default_port, text);
  }
  if (colon == std::string_view::npos) {
    return finish(std::string(text), {}, false, default_port, text);
  }
  return finish(std::string(text.substr(0, colon)), text.substr(colon + 1), true, default_port,
                text);
}

std::string ProbeSpec::host_header() const {
  std::uint16_t default_port = plain_http() ? kHttpDefaultPort : 443;
  if (target.port != default_port) return target.to_string();
  return target.host.find(':') != std::string::npos ? "[" + target.host + "]" : target.host;
}

std::string ProbeSpec::absolute_uri() const {
  return "http://" + host_header() + (request ? request->path : std::string("/"));
}

std::string ProbeSpec::target_text() const {
  return plain_http() ? absolute_uri() : target.to_string();
}

void PhaseTimeouts::set_all_phases(Millis each) {
  dns = tcp_connect = proxy_connect = tls_handshake = http_first_byte = transfer = each;
}

Millis PhaseTimeouts::of(Phase phase) const {
  switch (phase) {
    case Phase::kDns:
      return dns;
    case Phase::kTcpConnect:
      return tcp_connect;
    case Phase::kProxyConnect:
      return proxy_connect;
    case Phase::kTlsHandshake:
      return tls_handshake;
    case Phase::kHttpFirstByte:
      return http_first_byte;
    case Phase::kTransfer:
      return transfer;
  }
  return transfer;
}

Result<HttpRequestSpec> parse_request(std::string_view text) {
  auto space = text.find(' ');
  if (space == std::string_view::npos) {
    return error_text("request '" + std::string(text) + "' must be 'HEAD /PATH' or 'GET /PATH'");
  }
  std::string method(text.substr(0, space));
  std::string path(text.substr(space + 1));
  if (method != "HEAD" && method != "GET") {
    return error_text("request method '" + method + "' is not HEAD or GET");
  }
  if (!path.starts_with('/') || path.find_first_of(" \t\r\n") != std::string::npos) {
    return error_text("request path '" + path + "' must start with '/' and contain no white space");
  }
  // Sent as it is in the request line: a control byte would be a header injection, a byte
  // outside ASCII is not a valid request-target (RFC 9112 §3.2).
  auto bad = [](unsigned char c) { return c < 0x20 || c >= 0x7f; };
  if (std::any_of(path.begin(), path.end(), bad)) {
    return error_text("request path " + in_quotes(path) +
                      " holds a control character or a byte outside ASCII: percent-encode it");
  }
  return HttpRequestSpec{std::move(method), std::move(path)};
}

}  // namespace proxywatch
