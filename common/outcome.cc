// Names of phases and outcomes, and the mapping of CONNECT status codes to outcomes.
#include "common/outcome.h"

namespace proxywatch {
namespace {

constexpr std::array<std::string_view, kAllPhases.size()> kPhaseNames = {
    "dns", "tcp_connect", "proxy_connect", "tls_handshake", "http_first_byte", "transfer"};

constexpr std::array<std::string_view, kAllOutcomes.size()> kOutcomeNames = {
    "ok",
    "dns_failed",
    "tcp_refused",
    "tcp_timeout",
    "proxy_denied",
    "proxy_upstream_failed",
    "proxy_unavailable",
    "proxy_error",
    "proxy_auth_required",
    "proxy_auth_failed",
    "proxy_auth_unsupported",
    "proxy_auth_insecure",
    "proxy_stalled",
    "proxy_closed",
    "proxy_protocol_error",
    "tls_reset",
    "tls_stalled",
    "tls_failed",
    "tls_verify_failed",
    "http_stalled",
    "http_incomplete",
    "http_error",
    "tunnel_not_denied",
};

}  // namespace

std::string_view to_string(Phase phase) {
  return kPhaseNames[static_cast<size_t>(phase)];
}

std::string_view to_string(Outcome outcome) {
  return kOutcomeNames[static_cast<size_t>(outcome)];
}

std::optional<Phase> phase_from_string(std::string_view name) {
  for (Phase p : kAllPhases) {
    if (to_string(p) == name) return p;
  }
  return std::nullopt;
}

std::optional<Outcome> outcome_from_string(std::string_view name) {
  for (Outcome o : kAllOutcomes) {
    if (to_string(o) == name) return o;
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

bool is_stall(Outcome outcome) {
  return outcome == Outcome::kProxyStalled || outcome == Outcome::kTlsStalled ||
         outcome == Outcome::kHttpStalled || outcome == Outcome::kTcpTimeout;
}

}  // namespace proxywatch
