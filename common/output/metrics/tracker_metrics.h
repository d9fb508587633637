// The Prometheus view of the Tracker: each pair's health state, window ratios, consecutive
// failures, active diagnoses and last MTU verdict (docs/metrics.md has the catalogue), one row of
// plain values per pair (pair_table.h) that Metrics writes with its own series. Updated from the
// daemon's io_context thread; written out from the listener's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/history/pair_history.h"
#include "common/output/metrics/metrics.h"
#include "common/output/metrics/pair_table.h"

namespace proxywatch {

class TrackerMetrics final : public PairSeriesSource {
 public:
  // Adds its series to what `metrics` writes; `metrics` must outlive this object.
  explicit TrackerMetrics(Metrics& metrics);
  ~TrackerMetrics();
  TrackerMetrics(const TrackerMetrics&) = delete;
  TrackerMetrics& operator=(const TrackerMetrics&) = delete;

  // Sets every series of (proxy, target) from `history`: one health_state series per state (1
  // for the current one), the window's probe count and success/stall/reset ratios,
  // consecutive failures, a diagnosis series per active diagnosis (cleared ones are removed)
  // and mtu_verdict_info once a comparison has run.
  void update(const std::string& proxy, const std::string& target, const PairHistory& history);

  // Removes every series of (proxy, target).
  void forget(const std::string& proxy, const std::string& target);
  // forget() for each of `pairs` ({proxy, target}).
  void forget_pairs(const std::vector<std::pair<std::string, std::string>>& pairs);

  void expose(ExpositionWriter& writer) const override;

 private:
  struct Row {
    HealthState health = HealthState::kUnknown;
    double window_probes = 0;
    double success_ratio = 0;
    double stall_ratio = 0;
    double reset_ratio = 0;
    double consecutive_failures = 0;
    std::uint32_t diagnoses = 0;  // bit i: kAllDiagnoses[i] is active
    std::optional<MtuVerdict> mtu;
  };
  void emit(std::size_t family, const SeriesKey& key, const Row& row,
            std::vector<prometheus::ClientMetric>& out) const;

  Metrics& metrics_;
  PairTable<Row> rows_;
};

}  // namespace proxywatch
