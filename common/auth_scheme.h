// The authentication schemes a proxy can offer in Proxy-Authenticate, as a bounded vocabulary:
// the `scheme` label of proxywatch_proxy_auth_challenges_total and the JSON spelling. Any other
// scheme name a proxy sends is "other", so a hostile proxy cannot grow a label set.
#pragma once

#include <array>
#include <string_view>

namespace proxywatch {

enum class ChallengeScheme { kBasic, kDigest, kNtlm, kNegotiate, kOther };
inline constexpr std::array kAllChallengeSchemes = {
    ChallengeScheme::kBasic, ChallengeScheme::kDigest, ChallengeScheme::kNtlm,
    ChallengeScheme::kNegotiate, ChallengeScheme::kOther};

// "basic", "digest", "ntlm", "negotiate", "other".
std::string_view to_string(ChallengeScheme scheme);

// The scheme a challenge's name (as sent, any case) stands for; kOther for unknown names.
ChallengeScheme challenge_scheme(std::string_view name);

}  // namespace proxywatch
