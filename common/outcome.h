// Outcomes and phases of one probe: the bounded vocabulary that metrics, logs, JSON and exit
// codes share. Names are DESIGN.md's and are part of the public interface (metric labels,
// --json); add to them, never rename.
//
// Everything the other stages derive from an outcome (is it a stall, a reset, which health rule
// counts it, what the MTU comparison reads into it, how authentication ended) is one row of
// kOutcomeTraits below, so a new outcome is classified in one place. The switches over Outcome
// elsewhere have no `default:`, so -Wswitch names each other place a new outcome must be handled.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "common/auth_scheme.h"

namespace proxywatch {

// Whether `all` lists its enum's values from 0 in order, so that name tables index by value.
template <class Enum, std::size_t N>
constexpr bool in_enum_order(const std::array<Enum, N>& all) {
  for (std::size_t i = 0; i < N; ++i) {
    if (all[i] != static_cast<Enum>(i)) return false;
  }
  return true;
}

// Whether every entry of a name table is set: a table sized by its kAll* list that misses a
// name holds an empty one.
template <std::size_t N>
constexpr bool all_named(const std::array<std::string_view, N>& names) {
  for (std::string_view name : names) {
    if (name.empty()) return false;
  }
  return true;
}

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
static_assert(in_enum_order(kAllPhases));

// How a probe ended: exactly one per probe. A new outcome goes at the end and gets its row in
// kOutcomeTraits.
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
  // proxywatch itself ran out of file descriptors or memory (common/local_errors.h): says
  // nothing about the proxy, and the daemon keeps it out of every pair's history.
  kLocalError,
};

// The persistent health rule (common/history/health_rules.h) that counts an outcome.
enum class RuleClass {
  kNone,
  kUnreachable,  // proxy_unreachable: the proxy's name, a refusal, no SYN-ACK
  kDenied,       // acl_block: the proxy's ACL refused the tunnel (403)
  kAuth,         // auth_misconfigured: the proxy's demand for authentication was not met
  kTransferCut,  // inspection_interference: tunnel and TLS fine, then the transfer died
};

// What the MTU comparison (common/probe/mtu_check.h) reads into a failure: where it would show
// if large segments died on the path.
enum class SegmentLoss {
  kNone,       // no sign of lost segments
  kHandshake,  // the TLS handshake stalled or was reset (where a padded ClientHello dies)
  kTransfer,   // the answer stalled or was cut after the handshake
};

// What the rest of the code derives from one outcome.
struct OutcomeTraits {
  Outcome outcome;
  std::string_view name;  // the snake_case label and JSON value
  // A deadline passed with the peer silent: proxywatch_stalls_total, the window's stall ratio.
  bool stall = false;
  // A reset even when no RST was captured (is_reset() in common/probe_result.h).
  bool reset = false;
  // A sign of an overloaded proxy (proxy_overloaded): a 503, or no timely answer.
  bool overload_sign = false;
  RuleClass rule = RuleClass::kNone;
  SegmentLoss loss = SegmentLoss::kNone;
  // The `result` of proxywatch_proxy_auth_total; nullopt for outcomes that say nothing about
  // authentication (the metric then counts "ok" when credentials were sent).
  std::optional<AuthResult> auth = std::nullopt;
};

// One row per outcome, in enum order (checked below).
inline constexpr auto kOutcomeTraits = std::to_array<OutcomeTraits>({
    {.outcome = Outcome::kOk, .name = "ok"},
    {.outcome = Outcome::kDnsFailed, .name = "dns_failed", .rule = RuleClass::kUnreachable},
    {.outcome = Outcome::kTcpRefused, .name = "tcp_refused", .rule = RuleClass::kUnreachable},
    {.outcome = Outcome::kTcpTimeout,
     .name = "tcp_timeout",
     .stall = true,
     .overload_sign = true,
     .rule = RuleClass::kUnreachable},
    {.outcome = Outcome::kProxyDenied, .name = "proxy_denied", .rule = RuleClass::kDenied},
    {.outcome = Outcome::kProxyUpstreamFailed, .name = "proxy_upstream_failed"},
    {.outcome = Outcome::kProxyUnavailable, .name = "proxy_unavailable", .overload_sign = true},
    {.outcome = Outcome::kProxyError, .name = "proxy_error"},
    {.outcome = Outcome::kProxyAuthRequired,
     .name = "proxy_auth_required",
     .rule = RuleClass::kAuth,
     .auth = AuthResult::kRequired},
    {.outcome = Outcome::kProxyAuthFailed,
     .name = "proxy_auth_failed",
     .rule = RuleClass::kAuth,
     .auth = AuthResult::kFailed},
    {.outcome = Outcome::kProxyAuthUnsupported,
     .name = "proxy_auth_unsupported",
     .rule = RuleClass::kAuth,
     .auth = AuthResult::kUnsupported},
    {.outcome = Outcome::kProxyAuthInsecure,
     .name = "proxy_auth_insecure",
     .rule = RuleClass::kAuth,
     .auth = AuthResult::kInsecure},
    {.outcome = Outcome::kProxyStalled,
     .name = "proxy_stalled",
     .stall = true,
     .overload_sign = true},
    {.outcome = Outcome::kProxyClosed, .name = "proxy_closed"},
    {.outcome = Outcome::kProxyProtocolError, .name = "proxy_protocol_error"},
    {.outcome = Outcome::kTlsReset,
     .name = "tls_reset",
     .reset = true,
     .loss = SegmentLoss::kHandshake},
    {.outcome = Outcome::kTlsStalled,
     .name = "tls_stalled",
     .stall = true,
     .loss = SegmentLoss::kHandshake},
    {.outcome = Outcome::kTlsFailed, .name = "tls_failed"},
    {.outcome = Outcome::kTlsVerifyFailed, .name = "tls_verify_failed"},
    {.outcome = Outcome::kHttpStalled,
     .name = "http_stalled",
     .stall = true,
     .rule = RuleClass::kTransferCut,
     .loss = SegmentLoss::kTransfer},
    {.outcome = Outcome::kHttpIncomplete,
     .name = "http_incomplete",
     .rule = RuleClass::kTransferCut,
     .loss = SegmentLoss::kTransfer},
    {.outcome = Outcome::kHttpError, .name = "http_error"},
    {.outcome = Outcome::kTunnelNotDenied, .name = "tunnel_not_denied"},
    {.outcome = Outcome::kLocalError, .name = "local_error"},
});

// Every outcome, in enum order: the table's first column.
inline constexpr auto kAllOutcomes = [] {
  std::array<Outcome, kOutcomeTraits.size()> all{};
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = kOutcomeTraits[i].outcome;
  return all;
}();

static_assert(
    [] {
      for (std::size_t i = 0; i < kOutcomeTraits.size(); ++i) {
        if (kOutcomeTraits[i].outcome != static_cast<Outcome>(i)) return false;
        if (kOutcomeTraits[i].name.empty()) return false;
      }
      // The last enumerator has its row: a new outcome appended to the enum moves this check.
      return kOutcomeTraits.back().outcome == Outcome::kLocalError;
    }(),
    "kOutcomeTraits: one named row per outcome, in enum order");

// The row of `outcome`.
constexpr const OutcomeTraits& traits(Outcome outcome) {
  return kOutcomeTraits[static_cast<std::size_t>(outcome)];
}

// The snake_case name used in metrics labels and JSON ("tcp_connect").
std::string_view to_string(Phase phase);
// The snake_case name used in metrics labels and JSON ("proxy_denied").
constexpr std::string_view to_string(Outcome outcome) {
  return traits(outcome).name;
}
// Inverse of to_string; nullopt for an unknown name.
std::optional<Phase> phase_from_string(std::string_view name);
std::optional<Outcome> outcome_from_string(std::string_view name);

// The outcome a non-2xx answer to CONNECT stands for (403 → proxy_denied, 502/504 →
// proxy_upstream_failed, 503 → proxy_unavailable, 407 → proxy_auth_required, else proxy_error).
Outcome outcome_for_connect_status(unsigned status);

// True for the outcomes that are a stall (a deadline passed with the peer silent).
constexpr bool is_stall(Outcome outcome) {
  return traits(outcome).stall;
}

}  // namespace proxywatch
