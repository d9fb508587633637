// The process-wide metric families of Metrics (metrics.h), registered in catalogue order on its
// prometheus-cpp registry, and the helpers metrics.cc uses on them. The per-(proxy, target)
// families are rows of a PairTable instead (target_series.h). Internal to the metrics room.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "common/output/metrics/metric_labels.h"
#include "common/output/metrics/metrics.h"

namespace proxywatch {

// Removes `metric` from `family` (when set) and forgets it.
template <class T>
void remove_series(prometheus::Family<T>& family, T*& metric) {
  if (metric) family.Remove(metric);
  metric = nullptr;
}

// `when` in seconds since the epoch, the unit of the *_timestamp_seconds gauges.
inline double as_seconds(std::chrono::system_clock::time_point when) {
  return std::chrono::duration<double>(when.time_since_epoch()).count();
}

namespace pm = prometheus;

// The registered families, in catalogue order (docs/metrics.md).
struct Metrics::Families {
  explicit Families(pm::Registry& r) : registry(r) {}

  pm::Family<pm::Gauge>& gauge(const char* name, const char* help) {
    return register_gauge(registry, name, help);
  }
  pm::Family<pm::Counter>& counter(const char* name, const char* help) {
    return register_counter(registry, name, help);
  }

  pm::Registry& registry;  // first: every initializer below registers into it
  pm::Family<pm::Gauge>& proxy_configured =
      gauge("proxywatch_proxy_configured", "1 if a proxy is configured, else 0");
  pm::Family<pm::Gauge>& proxy_info =
      gauge("proxywatch_proxy_info", "1 for the proxy currently configured");
  pm::Family<pm::Gauge>& config_valid =
      gauge("proxywatch_config_valid", "1 if the config file last loaded was valid");
  pm::Family<pm::Counter>& config_reloads =
      counter("proxywatch_config_reloads_total", "Loads of a config file, by result");
  pm::Family<pm::Gauge>& config_last_reload =
      gauge("proxywatch_config_last_reload_timestamp_seconds",
            "Time of the last load of a config file, seconds since the epoch");
  pm::Family<pm::Gauge>& config_warnings =
      gauge("proxywatch_config_warnings", "Warnings in the config file last loaded");
  pm::Family<pm::Gauge>& build_info =
      gauge("proxywatch_build_info", "1, labelled with the proxywatch version and revision");
};

}  // namespace proxywatch
