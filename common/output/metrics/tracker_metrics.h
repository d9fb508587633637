// The Prometheus view of the Tracker: each pair's health state, window ratios, consecutive
// failures, active diagnoses and last MTU verdict, registered on the Metrics registry
// (docs/metrics.md has the catalogue). Not thread-safe: the daemon's io_context thread only.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "common/history/pair_history.h"

namespace proxywatch {

class TrackerMetrics {
 public:
  // Registers the families on `registry`, which must outlive this object.
  explicit TrackerMetrics(prometheus::Registry& registry);
  TrackerMetrics(const TrackerMetrics&) = delete;
  TrackerMetrics& operator=(const TrackerMetrics&) = delete;

  // Sets every series of (proxy, target) from `history`: one health_state series per state (1
  // for the current one), the window's probe count and success/stall/reset ratios,
  // consecutive failures, a diagnosis series per active diagnosis (cleared ones are removed)
  // and mtu_verdict_info once a comparison has run.
  void update(const std::string& proxy, const std::string& target, const PairHistory& history);

  // Removes every series of (proxy, target).
  void forget(const std::string& proxy, const std::string& target);
  // forget() for each of `pairs` ({proxy, target}), in one ordered pass per family: one by one,
  // thousands of pairs take minutes (prometheus-cpp's Remove, metric_families.h).
  void forget_pairs(const std::vector<std::pair<std::string, std::string>>& pairs);

 private:
  prometheus::Family<prometheus::Gauge>& health_;
  prometheus::Family<prometheus::Gauge>& window_probes_;
  prometheus::Family<prometheus::Gauge>& success_ratio_;
  prometheus::Family<prometheus::Gauge>& stall_ratio_;
  prometheus::Family<prometheus::Gauge>& reset_ratio_;
  prometheus::Family<prometheus::Gauge>& consecutive_failures_;
  prometheus::Family<prometheus::Gauge>& diagnosis_;
  prometheus::Family<prometheus::Gauge>& mtu_verdict_;
};

}  // namespace proxywatch
