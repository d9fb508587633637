// Tracker series: a row per pair, written as plain gauges keyed by {proxy, target} plus one
// enumerating label each.
#include "common/output/metrics/tracker_metrics.h"

#include <array>

#include "common/output/metrics/metric_labels.h"

namespace proxywatch {
namespace {

namespace pm = prometheus;
using pm::MetricType;

enum TrackerFamily : std::size_t {
  kHealth,
  kWindowProbes,
  kSuccessRatio,
  kStallRatio,
  kResetRatio,
  kConsecutiveFailures,
  kDiagnosis,
  kMtuVerdict,
  kTrackerFamilyCount,
};

constexpr std::array<FamilyHead, kTrackerFamilyCount> kTrackerHeads = {{
    {"proxywatch_health_state",
     "1 for the pair's current health state (unknown, healthy, degraded, failing), 0 for the "
     "others",
     MetricType::Gauge},
    {"proxywatch_window_probes", "Probes in the pair's sliding window", MetricType::Gauge},
    {"proxywatch_window_success_ratio", "Share of the window's probes that passed",
     MetricType::Gauge},
    {"proxywatch_window_stall_ratio", "Share of the window's probes that ended in a stall",
     MetricType::Gauge},
    {"proxywatch_window_reset_ratio", "Share of the window's probes that failed with a reset",
     MetricType::Gauge},
    {"proxywatch_consecutive_failures", "Failed probes in a row, 0 after a pass",
     MetricType::Gauge},
    {"proxywatch_diagnosis", "1 while the named diagnosis is raised for the pair; absent otherwise",
     MetricType::Gauge},
    {"proxywatch_mtu_verdict_info", "1 for the verdict of the pair's last MTU comparison",
     MetricType::Gauge},
}};
static_assert(kAllDiagnoses.size() <= 32);

pm::ClientMetric& tracker_gauge(std::vector<pm::ClientMetric>& out, const SeriesKey& key,
                                double value, std::initializer_list<LabelPair> extra = {}) {
  pm::ClientMetric& m = out.emplace_back(pair_metric(key.first, key.second, extra));
  m.gauge.value = value;
  return m;
}

}  // namespace

TrackerMetrics::TrackerMetrics(Metrics& metrics) : metrics_(metrics) {
  metrics_.add_source(this);
}

TrackerMetrics::~TrackerMetrics() {
  metrics_.remove_source(this);
}

void TrackerMetrics::update(const std::string& proxy, const std::string& target,
                            const PairHistory& history) {
  const std::string label = proxy_label(proxy);
  rows_.update(
      {label, target}, [] { return Row{}; },
      [&](Row& row) {
        row.health = history.health;
        const OutcomeWindow& w = history.window;
        row.window_probes = static_cast<double>(w.size());
        row.success_ratio = w.ratio([](const Sample& s) { return s.ok(); });
        row.stall_ratio = w.ratio([](const Sample& s) { return s.stall(); });
        row.reset_ratio = w.ratio([](const Sample& s) { return s.reset; });
        row.consecutive_failures = history.consecutive_failures;
        row.diagnoses = 0;
        for (std::size_t i = 0; i < kAllDiagnoses.size(); ++i) {
          if (history.active.contains(kAllDiagnoses[i])) row.diagnoses |= std::uint32_t{1} << i;
        }
        if (history.last_mtu) row.mtu = history.last_mtu;
      });
}

void TrackerMetrics::forget(const std::string& proxy, const std::string& target) {
  const std::string label = proxy_label(proxy);
  rows_.erase({label, target});
}

void TrackerMetrics::forget_pairs(const std::vector<std::pair<std::string, std::string>>& pairs) {
  for (const auto& [proxy, target] : pairs) forget(proxy, target);
}

void TrackerMetrics::expose(ExpositionWriter& writer) const {
  rows_.expose(writer, kTrackerHeads,
               [this](std::size_t family, const SeriesKey& key, const Row& row,
                      std::vector<pm::ClientMetric>& out) { emit(family, key, row, out); });
}

void TrackerMetrics::emit(std::size_t family, const SeriesKey& key, const Row& row,
                          std::vector<pm::ClientMetric>& out) const {
  switch (static_cast<TrackerFamily>(family)) {
    case kHealth:
      for (HealthState s : kAllHealthStates) {
        tracker_gauge(out, key, s == row.health ? 1 : 0, {{"state", to_string(s)}});
      }
      return;
    case kWindowProbes:
      tracker_gauge(out, key, row.window_probes);
      return;
    case kSuccessRatio:
      tracker_gauge(out, key, row.success_ratio);
      return;
    case kStallRatio:
      tracker_gauge(out, key, row.stall_ratio);
      return;
    case kResetRatio:
      tracker_gauge(out, key, row.reset_ratio);
      return;
    case kConsecutiveFailures:
      tracker_gauge(out, key, row.consecutive_failures);
      return;
    case kDiagnosis:
      for (std::size_t i = 0; i < kAllDiagnoses.size(); ++i) {
        if ((row.diagnoses >> i) & 1U) {
          tracker_gauge(out, key, 1, {{"diagnosis", to_string(kAllDiagnoses[i])}});
        }
      }
      return;
    case kMtuVerdict:
      if (row.mtu) tracker_gauge(out, key, 1, {{"verdict", to_string(*row.mtu)}});
      return;
    case kTrackerFamilyCount:
      return;
  }
}

}  // namespace proxywatch
