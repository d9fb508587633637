// The per-(proxy, target) series of Metrics (metrics.h): every proxywatch_probe_* series of one
// pair, cached as pointers so a probe's update is pointer look-ups (no label maps built after
// the first probe). Internal to the metrics room; target_series.cc fills them from a
// ProbeResult.
#pragma once

#include <array>
#include <cstddef>
#include <string>

#include "common/auth_scheme.h"
#include "common/output/metrics/metric_families.h"

namespace proxywatch {

// One slot per phase, plus one for "no phase" (an ok probe, or a failure without one).
inline constexpr std::size_t kPhaseSlots = kAllPhases.size() + 1;

// Every series of one (proxy, target). Series every probe sets, and counters whose first
// increment must be visible to increase(), are created up front; the rest on first use.
struct Metrics::TargetSeries {
  // Creates the series every probe sets, labelled `base` ({proxy, target}), in `f`.
  TargetSeries(Families& f, pm::Labels base);
  // Updates every series from one finished probe.
  void record(const ProbeResult& result);
  // success, duration, probes_total{outcome}, last_outcome_info, stalls and resets.
  void record_outcome(const ProbeResult& result);
  // Moves last_outcome_info to the probe's outcome and failing phase.
  void record_last_outcome(const ProbeResult& result);
  // Counts each scheme a 407 offered once per probe, and how the authentication ended.
  void record_auth(const ProbeResult& result);
  // The TCP_INFO series (created by the first probe that connected).
  void record_tcp(const TcpInfo& tcp);
  // The TLS series (created by the first handshake seen).
  void record_tls(const TlsInfo& tls);
  // Removes every series of the pair from its family.
  void remove_all_series();

  Families& families;
  const pm::Labels labels;  // {proxy, target}
  pm::Gauge* success;
  pm::Gauge* duration;
  pm::Gauge* connect_status;
  pm::Gauge* http_status;
  pm::Gauge* body_bytes;
  pm::Gauge* throughput;
  pm::Counter* retransmits;
  pm::Gauge* last_completed;
  pm::Gauge* interval = nullptr;
  pm::Gauge* target_info = nullptr;
  std::string target_info_key;  // service and destination of target_info's labels
  std::array<pm::Counter*, kAllOutcomes.size()> probes{};
  std::array<pm::Histogram*, kAllPhases.size()> phase_duration{};
  std::array<pm::Counter*, kPhaseSlots> stalls{};
  std::array<pm::Counter*, kPhaseSlots> resets{};
  std::array<pm::Counter*, kAllChallengeSchemes.size()> auth_challenges{};
  std::array<pm::Counter*, kAllAuthResults.size()> auth_results{};
  pm::Gauge* tcp_rtt = nullptr;
  pm::Gauge* mss_send = nullptr;
  pm::Gauge* mss_receive = nullptr;
  pm::Gauge* pmtu = nullptr;
  pm::Gauge* cert_not_after = nullptr;
  pm::Gauge* last_outcome = nullptr;
  Outcome last_outcome_value = Outcome::kOk;
  std::size_t last_phase_slot = 0;
  pm::Gauge* tls_info = nullptr;
  std::string tls_version, tls_cipher, tls_issuer;
};

}  // namespace proxywatch
