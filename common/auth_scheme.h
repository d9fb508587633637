// The vocabulary of proxy authentication as metric labels and JSON spelling: the schemes a proxy
// can offer in Proxy-Authenticate (the `scheme` label of proxywatch_proxy_auth_challenges_total),
// and how its demand for authentication ended (the `result` label of proxywatch_proxy_auth_total).
// Any other scheme name a proxy sends is "other", so a hostile proxy cannot grow a label set.
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

// How a proxy's demand for authentication (407) ended. Which outcome stands for which result
// is the `auth` column of kOutcomeTraits (common/outcome.h).
enum class AuthResult {
  kOk,           // credentials accepted, whatever happened after the CONNECT
  kFailed,       // proxy_auth_failed
  kRequired,     // proxy_auth_required
  kUnsupported,  // proxy_auth_unsupported
  kInsecure,     // proxy_auth_insecure
};
inline constexpr std::array kAllAuthResults = {AuthResult::kOk, AuthResult::kFailed,
                                               AuthResult::kRequired, AuthResult::kUnsupported,
                                               AuthResult::kInsecure};

// "ok", "failed", "required", "unsupported", "insecure".
std::string_view to_string(AuthResult result);

}  // namespace proxywatch
