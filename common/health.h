// The vocabulary of a (proxy, target) pair's history: its health state, the named diagnoses
// the pattern rules raise (docs/diagnoses.md explains each to an operator), and the thresholds
// that drive both (the YAML file's `health:` block). Names are metric label values, JSON and
// state-file spelling: add to them, never rename.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace proxywatch {

// How a pair is doing over time (DESIGN.md, "Over time").
enum class HealthState {
  kUnknown,   // no probe yet (or not enough to tell)
  kHealthy,   // probes pass
  kDegraded,  // too many failures in the window, but not failing outright
  kFailing,   // failing_after consecutive failures, until recover_after successes in a row
};
inline constexpr std::array kAllHealthStates = {HealthState::kUnknown, HealthState::kHealthy,
                                                HealthState::kDegraded, HealthState::kFailing};

// Patterns over a pair's history that no single probe can name.
enum class Diagnosis {
  kMtuSuspected,
  kAclBlock,
  kProxyOverloaded,
  kInspectionInterference,
  kAuthMisconfigured,
  kProxyUnreachable,
  kFlapping,
};
inline constexpr std::array kAllDiagnoses = {
    Diagnosis::kMtuSuspected,      Diagnosis::kAclBlock,
    Diagnosis::kProxyOverloaded,   Diagnosis::kInspectionInterference,
    Diagnosis::kAuthMisconfigured, Diagnosis::kProxyUnreachable,
    Diagnosis::kFlapping};

// "unknown", "healthy", "degraded", "failing".
std::string_view to_string(HealthState state);
// "mtu_suspected", "acl_block", ... (the names above in snake_case).
std::string_view to_string(Diagnosis diagnosis);
// Inverses of to_string; nullopt for an unknown name.
std::optional<HealthState> health_state_from_string(std::string_view name);
std::optional<Diagnosis> diagnosis_from_string(std::string_view name);

// Window sizes and thresholds; every field is a YAML key under `health:` with this default.
struct HealthSettings {
  // The window holds at most `window_probes` probes, none older than `window_duration`.
  std::uint32_t window_probes = 20;
  std::chrono::seconds window_duration{3600};
  // Ratios (degraded, overloaded) are judged only on windows with at least this many probes.
  std::uint32_t min_samples = 5;
  // Consecutive failures that make a pair failing; successes in a row that end failing.
  std::uint32_t failing_after = 3;
  std::uint32_t recover_after = 2;
  // Failed share of the window (percent) that makes a healthy pair degraded; it is healthy
  // again below half of it.
  std::uint32_t degraded_percent = 20;
  // Consecutive probes of one kind that raise acl_block, auth_misconfigured,
  // proxy_unreachable; as many of another kind in a row clear them.
  std::uint32_t persistent_after = 3;
  // Share of the window (percent) that is 503 or a stall before the tunnel opened, with
  // successes in between, that raises proxy_overloaded; cleared below half of it.
  std::uint32_t overload_percent = 30;
  // Changes between passing and failing within the window that raise flapping; cleared when
  // the window holds fewer than half as many.
  std::uint32_t flapping_changes = 4;
  // Transfers cut or stalled after a good TLS handshake, within the window, that raise
  // inspection_interference.
  std::uint32_t transfer_cut_after = 3;
  friend bool operator==(const HealthSettings&, const HealthSettings&) = default;
};

}  // namespace proxywatch
