// Outcomes and phases of one probe: the bounded vocabulary that metrics, logs, JSON and exit
// codes share. Names are DESIGN.md's and are part of the public interface (metric labels,
// --json); add to them, never rename.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace proxywatch {

// The steps of one probe, in the order they run.
enum class Phase {
  kDns,
  kTcpConnect,
  kProxyConnect,
  kTlsHandshake,
  kHttpFirstByte,
  kTransfer,
};
inline constexpr std::array kAllPhases = {Phase::kDns,           Phase::kTcpConnect,
                                          Phase::kProxyConnect,  Phase::kTlsHandshake,
                                          Phase::kHttpFirstByte, Phase::kTransfer};

// How a probe ended: exactly one per probe.
enum class Outcome {
  kOk,
  kDnsFailed,
  kTcpRefused,
  kTcpTimeout,
  kProxyDenied,
  kProxyUpstreamFailed,
  kProxyUnavailable,
  kProxyError,
  kProxyAuthRequired,
  kProxyAuthFailed,
  kProxyAuthUnsupported,
  // The proxy offers only Basic (the password in clear) and Basic is refused (refuse_basic).
  kProxyAuthInsecure,
  kProxyStalled,
  kProxyClosed,
  kProxyProtocolError,
  kTlsReset,
  kTlsStalled,
  kTlsFailed,
  kTlsVerifyFailed,
  kHttpStalled,
  kHttpIncomplete,
  kHttpError,
  // A negative probe (expect: denied) whose CONNECT the proxy let through.
  kTunnelNotDenied,
};
inline constexpr std::array kAllOutcomes = {Outcome::kOk,
                                            Outcome::kDnsFailed,
                                            Outcome::kTcpRefused,
                                            Outcome::kTcpTimeout,
                                            Outcome::kProxyDenied,
                                            Outcome::kProxyUpstreamFailed,
                                            Outcome::kProxyUnavailable,
                                            Outcome::kProxyError,
                                            Outcome::kProxyAuthRequired,
                                            Outcome::kProxyAuthFailed,
                                            Outcome::kProxyAuthUnsupported,
                                            Outcome::kProxyAuthInsecure,
                                            Outcome::kProxyStalled,
                                            Outcome::kProxyClosed,
                                            Outcome::kProxyProtocolError,
                                            Outcome::kTlsReset,
                                            Outcome::kTlsStalled,
                                            Outcome::kTlsFailed,
                                            Outcome::kTlsVerifyFailed,
                                            Outcome::kHttpStalled,
                                            Outcome::kHttpIncomplete,
                                            Outcome::kHttpError,
                                            Outcome::kTunnelNotDenied};

// The snake_case name used in metrics labels and JSON ("tcp_connect").
std::string_view to_string(Phase phase);
// The snake_case name used in metrics labels and JSON ("proxy_denied").
std::string_view to_string(Outcome outcome);
// Inverse of to_string; nullopt for an unknown name.
std::optional<Phase> phase_from_string(std::string_view name);
std::optional<Outcome> outcome_from_string(std::string_view name);

// The outcome a non-2xx answer to CONNECT stands for (403 → proxy_denied, 502/504 →
// proxy_upstream_failed, 503 → proxy_unavailable, 407 → proxy_auth_required, else proxy_error).
Outcome outcome_for_connect_status(unsigned status);

// True for the outcomes that are a stall (a deadline passed with the peer silent).
bool is_stall(Outcome outcome);

}  // namespace proxywatch
