// Which per-(proxy, target) series the daemon exports: the YAML file's `metrics:` block
// (docs/metrics.md, "Series sets"). The lean default is what a fleet of hundreds of appliances
// can afford (at most 40 series a target); the larger sets are for one appliance under study.
// Names are YAML spelling: add to them, never rename.
#pragma once

#include <optional>
#include <string_view>

namespace proxywatch {

enum class SeriesSet {
  // Each phase's duration in the last probe as a gauge; proxywatch_probes_total{outcome="ok"}
  // from the first probe and every other outcome from its first occurrence; resets by each
  // phase a probe has reached. Nothing another series already says.
  kLean,
  // Adds what a single appliance under study may want: every outcome counter at 0 from the
  // first probe, proxywatch_stalls_total by phase, and the transfer's throughput.
  kFull,
};

struct MetricOptions {
  SeriesSet series = SeriesSet::kLean;
  // proxywatch_probe_phase_latency_seconds: a histogram per phase whose buckets end at that
  // phase's deadline (11 to 19 series each).
  bool histograms = false;
  friend bool operator==(const MetricOptions&, const MetricOptions&) = default;
};

inline std::string_view to_string(SeriesSet set) {
  return set == SeriesSet::kLean ? "lean" : "full";
}

// "lean" or "full"; nullopt for anything else.
inline std::optional<SeriesSet> series_set_from(std::string_view name) {
  if (name == "lean") return SeriesSet::kLean;
  if (name == "full") return SeriesSet::kFull;
  return std::nullopt;
}

}  // namespace proxywatch
