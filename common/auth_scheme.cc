// Names of challenge schemes and authentication results.
#include "common/auth_scheme.h"

#include <cstddef>

#include <boost/algorithm/string/predicate.hpp>

#include "common/outcome.h"

namespace proxywatch {
namespace {

constexpr std::array<std::string_view, kAllChallengeSchemes.size()> kSchemeNames = {
    "basic", "digest", "ntlm", "negotiate", "other"};
static_assert(in_enum_order(kAllChallengeSchemes) && all_named(kSchemeNames));

constexpr std::array<std::string_view, kAllAuthResults.size()> kAuthResultNames = {
    "ok", "failed", "required", "unsupported", "insecure"};
static_assert(in_enum_order(kAllAuthResults) && all_named(kAuthResultNames));

}  // namespace

std::string_view to_string(ChallengeScheme scheme) {
  return kSchemeNames[static_cast<std::size_t>(scheme)];
}

ChallengeScheme challenge_scheme(std::string_view name) {
  for (ChallengeScheme s : kAllChallengeSchemes) {
    // RFC 9110 §11.1: scheme names are case-insensitive.
    if (s != ChallengeScheme::kOther && boost::algorithm::iequals(name, to_string(s))) return s;
  }
  return ChallengeScheme::kOther;
}

std::string_view to_string(AuthResult result) {
  return kAuthResultNames[static_cast<std::size_t>(result)];
}

}  // namespace proxywatch
