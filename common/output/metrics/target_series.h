// The per-(proxy, target) series of Metrics (metrics.h) as one row of plain values (PairTable,
// pair_table.h): what a ProbeResult sets, counts and replaces, and how the row becomes the
// proxywatch_probe_* families of the catalogue (docs/metrics.md). Which series a row has
// follows the series set (metric_options.h). Internal to the metrics room.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <prometheus/client_metric.h>

#include "common/auth_scheme.h"
#include "common/metric_options.h"
#include "common/output/metrics/exposition.h"
#include "common/output/metrics/metrics.h"
#include "common/output/metrics/pair_table.h"
#include "common/probe_spec.h"

namespace proxywatch {

// One slot per phase, plus one for "no phase" (an ok probe, or a failure without one).
inline constexpr std::size_t kPhaseSlots = kAllPhases.size() + 1;

// A latency histogram of one phase (metrics: histograms: true): counts per bucket, the last
// bucket the phase's deadline, +Inf beyond.
struct LatencyHistogram {
  std::vector<double> bounds;
  std::vector<std::uint64_t> counts;  // one per bound, and +Inf
  double sum = 0;
  std::uint64_t count = 0;

  void observe(double value);
};

// A set of up to 32 slots (outcomes, phases, schemes) whose series exist.
class SlotSet {
 public:
  bool has(std::size_t slot) const { return (bits_ >> slot) & 1U; }
  void add(std::size_t slot) { bits_ |= std::uint32_t{1} << slot; }

 private:
  std::uint32_t bits_ = 0;
};

// Every series of one (proxy, target). Series every probe sets, and counters whose first
// increment must be visible to increase(), exist from the row's creation; the rest from first
// use (their SlotSet, or an optional).
struct Metrics::TargetSeries {
  explicit TargetSeries(const MetricOptions& options);
  TargetSeries(TargetSeries&&) noexcept = default;
  TargetSeries& operator=(TargetSeries&&) noexcept = default;

  // Updates every series from one finished probe.
  void record(const ProbeResult& result);
  // Sets the deadlines the histograms' buckets end at; a change starts the histograms afresh.
  void set_timeouts(const PhaseTimeouts& t);

  // The families of a row, in catalogue order, and the series of family number `family` of the
  // pair `key` (labels proxy, target and the family's own) appended to `out`.
  static std::span<const FamilyHead> families();
  void emit(std::size_t family, const SeriesKey& key,
            std::vector<prometheus::ClientMetric>& out) const;

  // Counts: whole probes, kept in 32 bits (a probe a second for 136 years) to keep rows small.
  using Count = std::uint32_t;

  MetricOptions options;
  double success = 0;
  double duration = 0;
  double connect_status = 0;
  double http_status = 0;
  double body_bytes = 0;
  double throughput = 0;  // SeriesSet::kFull only
  double retransmits = 0;
  double last_completed = 0;
  std::optional<double> interval;
  std::array<Count, kAllOutcomes.size()> probes{};
  Count confirmations = 0;  // of them, confirmation probes (ProbeResult::confirmation)
  SlotSet outcomes;
  std::optional<Outcome> last_outcome;
  std::size_t last_phase_slot = 0;
  std::array<double, kAllPhases.size()> phase_duration{};
  SlotSet phases;  // reached at least once: their gauge, and their resets
  std::array<Count, kPhaseSlots> stalls{};
  SlotSet stall_slots;  // SeriesSet::kFull only
  std::array<Count, kPhaseSlots> resets{};
  SlotSet reset_slots;
  std::array<Count, kAllChallengeSchemes.size()> auth_challenges{};
  SlotSet challenge_slots;
  std::array<Count, kAllAuthResults.size()> auth_results{};
  SlotSet auth_result_slots;
  bool tcp = false;  // TCP_INFO seen
  double tcp_rtt = 0, mss_send = 0, mss_receive = 0, pmtu = 0;
  std::optional<double> cert_not_after;
  bool tls = false;  // a handshake seen
  std::string tls_version, tls_cipher, tls_issuer;
  std::optional<std::pair<std::string, std::string>> target_info;  // service, destination
  // histograms: true only: the deadlines the buckets end at, and a histogram per phase.
  struct Latency {
    PhaseTimeouts timeouts;
    std::array<LatencyHistogram, kAllPhases.size()> phases;
  };
  std::unique_ptr<Latency> latency;

 private:
  void record_outcome(const ProbeResult& result);
  void record_phases(const ProbeResult& result);
  void record_auth(const ProbeResult& result);
  void record_tcp(const TcpInfo& tcp);
  void record_tls(const TlsInfo& tls);
};

}  // namespace proxywatch
