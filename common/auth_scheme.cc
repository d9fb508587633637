// Names of challenge schemes.
#include "common/auth_scheme.h"

#include <boost/algorithm/string/predicate.hpp>

namespace proxywatch {
namespace {

constexpr std::array<std::string_view, kAllChallengeSchemes.size()> kSchemeNames = {
    "basic", "digest", "ntlm", "negotiate", "other"};

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

}  // namespace proxywatch
