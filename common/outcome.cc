// Names of phases, the look-up of outcomes by name, and the mapping of CONNECT status codes to
// outcomes. The outcomes' names and classes are kOutcomeTraits (outcome.h).
#include "common/outcome.h"

namespace proxywatch {
namespace {

constexpr std::array<std::string_view, kAllPhases.size()> kPhaseNames = {
    "dns", "tcp_connect", "proxy_connect", "tls_handshake", "http_first_byte", "transfer"};
static_assert(all_named(kPhaseNames));

}  // namespace

std::string_view to_string(Phase phase) {
  return kPhaseNames[static_cast<size_t>(phase)];
}

std::optional<Phase> phase_from_string(std::string_view name) {
  for (Phase p : kAllPhases) {
    if (to_string(p) == name) return p;
  }
  return std::nullopt;
}

std::optional<Outcome> outcome_from_string(std::string_view name) {
  for (const OutcomeTraits& row : kOutcomeTraits) {
    if (row.name == name) return row.outcome;
  }
  return std::nullopt;
}

Outcome outcome_for_connect_status(unsigned status) {
  switch (status) {
    case 403:
      return Outcome::kProxyDenied;
    case 407:
      return Outcome::kProxyAuthRequired;
    case 502:
    case 504:
      return Outcome::kProxyUpstreamFailed;
    case 503:
      return Outcome::kProxyUnavailable;
    default:
      return (status >= 200 && status < 300) ? Outcome::kOk : Outcome::kProxyError;
  }
}

}  // namespace proxywatch
