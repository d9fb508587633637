// Parsing of Proxy-Authenticate header values into challenges (RFC 9110 §11.6.1): several
// challenges in one header, auth-params with tokens or quoted strings (with escapes), token68,
// and unknown parameters kept as they are.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace proxywatch {

struct AuthChallenge {
  std::string scheme;  // as sent, e.g. "Digest"
  // auth-params by lower-cased name, values unquoted and unescaped.
  std::map<std::string, std::string> params;
  std::string token68;  // for schemes like NTLM/Negotiate that carry a blob

  // Case-insensitive comparison of the scheme name.
  bool is(std::string_view name) const;
};

// Appends to `out` every challenge in one header value. Malformed trailing text ends the
// parse; what was read before it is kept (a proxy's odd header must not hide its schemes).
void parse_auth_challenges(std::string_view header, std::vector<AuthChallenge>& out);

// True when every challenge is a scheme the appliance cannot use (NTLM, Negotiate): the
// diagnosis proxy_auth_unsupported. False for an empty list.
bool only_unsupported_schemes(const std::vector<AuthChallenge>& challenges);

}  // namespace proxywatch
