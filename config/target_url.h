// A target written as a URL, in the YAML file (`url:`) or on the command line (`check --target`):
// "http://host[:port][/path]" is probed as a plain-HTTP request the proxy forwards (absolute
// form), "https://host[:port]" as a CONNECT tunnel. Nothing else is a target URL: an unknown
// scheme, a user name or password in the URL (it would end up in logs and metric labels), a
// fragment, or an https:// URL with a path (the tunnel names only host and port; the request
// inside it is the `request:` key) are errors that say how to write it instead.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "common/probe_spec.h"

namespace proxywatch::config {

struct TargetUrl {
  TargetScheme scheme = TargetScheme::kHttps;
  HostPort target;   // host without brackets; port 80 or 443 when the URL names none
  std::string path;  // http: origin-form ("/" when the URL has no path); https: empty
  friend bool operator==(const TargetUrl&, const TargetUrl&) = default;
};

// True when `text` is written as a URL ("scheme://..."): then parse_target_url decides, and a
// HOST[:PORT] parser must not.
bool looks_like_url(std::string_view text);

// Parses a target URL. Errors name what is wrong and never repeat a user-info part.
Result<TargetUrl> parse_target_url(std::string_view text);

}  // namespace proxywatch::config
