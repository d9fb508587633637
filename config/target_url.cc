// Target URLs: the scheme decides how the proxy is asked, the authority is a host as the YAML
// file's `host:` key accepts it (host_syntax.h), the path is sent as it is written.
#include "config/target_url.h"

#include <algorithm>
#include <cctype>

#include "common/escape.h"
#include "config/host_syntax.h"

namespace proxywatch::config {
namespace {

constexpr std::string_view kSchemeSeparator = "://";

// The characters RFC 3986 allows in a path and query (pchar, '/', '?') and '%' for escapes.
bool is_path_char(char c) {
  static constexpr std::string_view kAllowed = "-._~!$&'()*+,;=:@/?%";
  return std::isalnum(static_cast<unsigned char>(c)) || kAllowed.find(c) != std::string_view::npos;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Result<TargetScheme> scheme_of(std::string_view scheme) {
  std::string name = lower(scheme);
  if (name == "http") return TargetScheme::kHttp;
  if (name == "https") return TargetScheme::kHttps;
  return error_text(in_quotes(scheme, 16) +
                    " is not a scheme proxywatch probes: a target is http://HOST[:PORT][/PATH] "
                    "(a plain-HTTP request the proxy forwards) or https://HOST[:PORT] (a "
                    "CONNECT tunnel), as the FMC uses its proxy for nothing else");
}

Result<std::string> checked_path(std::string_view path) {
  if (path.empty()) return std::string("/");
  auto bad = std::find_if_not(path.begin(), path.end(), is_path_char);
  if (bad == path.end()) return std::string(path);
  if (*bad == '#') {
    return error_text("has a fragment ('#...'), which is never sent to a server: remove it");
  }
  return error_text("has " + in_quotes(std::string_view(&*bad, 1)) +
                    " in its path: percent-encode it (RFC 3986)");
}

}  // namespace

bool looks_like_url(std::string_view text) {
  auto separator = text.find(kSchemeSeparator);
  if (separator == std::string_view::npos || separator == 0) return false;
  // RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
  auto is_scheme_char = [](unsigned char c) {
    return std::isalnum(c) || c == '+' || c == '-' || c == '.';
  };
  return std::all_of(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(separator),
                     is_scheme_char);
}

Result<TargetUrl> parse_target_url(std::string_view text) {
  auto separator = text.find(kSchemeSeparator);
  if (separator == std::string_view::npos) {
    return error_text(in_quotes(text) + " is not a URL (expected http://HOST[:PORT][/PATH])");
  }
  auto scheme = scheme_of(text.substr(0, separator));
  if (!scheme) return scheme.error();
  std::string_view rest = text.substr(separator + kSchemeSeparator.size());
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  std::string_view path = rest.substr(authority.size());
  // A user name or password in the URL would be printed with the target everywhere: refuse it
  // without quoting it.
  if (authority.find('@') != std::string_view::npos) {
    return error_text(
        "a target URL must not carry a user name or password ('user:password@'): proxy "
        "credentials go in the credentials file, and a target's own are not supported");
  }
  TargetUrl url;
  url.scheme = *scheme;
  std::uint16_t default_port = url.scheme == TargetScheme::kHttp ? kHttpDefaultPort : 443;
  auto host_port = parse_host_port(authority, default_port);
  if (!host_port) return in_context("target URL: ", host_port.error());
  auto host = parse_host(host_port->host);
  if (!host)
    return error_text("the host " + in_quotes(host_port->host) + " " + host.error().message);
  url.target = HostPort{std::move(*host), host_port->port};
  if (url.scheme == TargetScheme::kHttps) {
    if (!path.empty() && path != "/") {
      return error_text(
          "an https:// target is a CONNECT tunnel to HOST:PORT and has no path here: write "
          "the request inside the tunnel as `request: GET /path` (check: --request)");
    }
    return url;
  }
  auto checked = checked_path(path);
  if (!checked) return checked.error();
  url.path = checked->starts_with('/') ? std::move(*checked) : "/" + *checked;
  return url;
}

}  // namespace proxywatch::config
