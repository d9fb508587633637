// Tracker series: plain gauges keyed by {proxy, target} plus one enumerating label each.
#include "common/output/metrics/tracker_metrics.h"

#include <set>

#include "common/output/metrics/metric_families.h"
#include "common/output/metrics/metric_labels.h"

namespace proxywatch {
namespace {

namespace pm = prometheus;

void remove_tracker_series(pm::Family<pm::Gauge>& family, const pm::Labels& labels) {
  if (family.Has(labels)) family.Remove(&family.Add(labels));
}

}  // namespace

TrackerMetrics::TrackerMetrics(pm::Registry& r)
    : health_(register_gauge(r, "proxywatch_health_state",
                             "1 for the pair's current health state (unknown, healthy, degraded, "
                             "failing), 0 for the others")),
      window_probes_(
          register_gauge(r, "proxywatch_window_probes", "Probes in the pair's sliding window")),
      success_ratio_(register_gauge(r, "proxywatch_window_success_ratio",
                                    "Share of the window's probes that passed")),
      stall_ratio_(register_gauge(r, "proxywatch_window_stall_ratio",
                                  "Share of the window's probes that ended in a stall")),
      reset_ratio_(register_gauge(r, "proxywatch_window_reset_ratio",
                                  "Share of the window's probes that failed with a reset")),
      consecutive_failures_(register_gauge(r, "proxywatch_consecutive_failures",
                                           "Failed probes in a row, 0 after a pass")),
      diagnosis_(
          register_gauge(r, "proxywatch_diagnosis",
                         "1 while the named diagnosis is raised for the pair; absent otherwise")),
      mtu_verdict_(register_gauge(r, "proxywatch_mtu_verdict_info",
                                  "1 for the verdict of the pair's last MTU comparison")) {}

void TrackerMetrics::update(const std::string& proxy, const std::string& target,
                            const PairHistory& history) {
  pm::Labels labels = pair_labels(proxy, target);
  for (HealthState s : kAllHealthStates) {
    health_.Add(with(labels, "state", to_string(s))).Set(s == history.health ? 1 : 0);
  }
  const OutcomeWindow& w = history.window;
  window_probes_.Add(labels).Set(static_cast<double>(w.size()));
  success_ratio_.Add(labels).Set(w.ratio([](const Sample& s) { return s.ok(); }));
  stall_ratio_.Add(labels).Set(w.ratio([](const Sample& s) { return s.stall(); }));
  reset_ratio_.Add(labels).Set(w.ratio([](const Sample& s) { return s.reset; }));
  consecutive_failures_.Add(labels).Set(history.consecutive_failures);
  for (Diagnosis d : kAllDiagnoses) {
    pm::Labels l = with(labels, "diagnosis", to_string(d));
    if (history.active.contains(d)) {
      diagnosis_.Add(l).Set(1);
    } else {
      remove_tracker_series(diagnosis_, l);
    }
  }
  if (!history.last_mtu) return;
  for (MtuVerdict v : kAllMtuVerdicts) {
    pm::Labels l = with(labels, "verdict", to_string(v));
    if (v == *history.last_mtu) {
      mtu_verdict_.Add(l).Set(1);
    } else {
      remove_tracker_series(mtu_verdict_, l);
    }
  }
}

void TrackerMetrics::forget(const std::string& proxy, const std::string& target) {
  pm::Labels labels = pair_labels(proxy, target);
  for (HealthState s : kAllHealthStates)
    remove_tracker_series(health_, with(labels, "state", to_string(s)));
  for (auto* f :
       {&window_probes_, &success_ratio_, &stall_ratio_, &reset_ratio_, &consecutive_failures_}) {
    remove_tracker_series(*f, labels);
  }
  for (Diagnosis d : kAllDiagnoses)
    remove_tracker_series(diagnosis_, with(labels, "diagnosis", to_string(d)));
  for (MtuVerdict v : kAllMtuVerdicts)
    remove_tracker_series(mtu_verdict_, with(labels, "verdict", to_string(v)));
}

void TrackerMetrics::forget_pairs(const std::vector<std::pair<std::string, std::string>>& pairs) {
  if (pairs.size() < 2) {
    for (const auto& [proxy, target] : pairs) forget(proxy, target);
    return;
  }
  std::set<std::pair<std::string, std::string>> labelled;
  for (const auto& [proxy, target] : pairs) labelled.emplace(proxy_label(proxy), target);
  auto matches = [&](const pm::Labels& labels) {
    auto proxy = labels.find("proxy");
    auto target = labels.find("target");
    return proxy != labels.end() && target != labels.end() &&
           labelled.contains({proxy->second, target->second});
  };
  for (auto* f : {&health_, &window_probes_, &success_ratio_, &stall_ratio_, &reset_ratio_,
                  &consecutive_failures_, &diagnosis_, &mtu_verdict_}) {
    remove_series_where(*f, matches);
  }
}

}  // namespace proxywatch
