// libFuzzer target: the Proxy-Authenticate parser (RFC 9110 §11.6.1 challenges), the choice of
// a challenge and the Digest/Basic answer computed from it, on an arbitrary header value.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "common/probe/auth_challenge.h"
#include "common/probe/proxy_auth.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace proxywatch;
  std::string_view header(reinterpret_cast<const char*>(data), size);
  std::vector<AuthChallenge> challenges;
  parse_auth_challenges(header, challenges);
  (void)only_unsupported_schemes(challenges);
  auto chosen = choose_challenge(challenges);
  if (!chosen) return 0;
  ProxyCredentials credentials{.user = "fuzz\"user\\", .password = "pw;\"#"};
  (void)authorization_for(*chosen, credentials, "CONNECT", "origin.test:443");
  for (const AuthChallenge& challenge : challenges) (void)is_stale(challenge);
  return 0;
}
