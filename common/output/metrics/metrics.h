// Metrics: the Prometheus view of the daemon. It turns each ProbeResult into the
// proxywatch_probe_* series of its (proxy, target) — rows of plain values (pair_table.h), not
// prometheus-cpp objects, so a target costs a few hundred bytes — keeps the process-wide series
// (proxy, config, build info) on a prometheus-cpp Registry, and writes the text exposition
// format for the HTTP listener, a chunk of pairs at a time. The catalogue is documented in
// docs/metrics.md; names and labels are public interface (dashboards and alert rules use them):
// add to them, never rename.
//
// Thread-safety: serialize() and write() run on the listener's thread while every other member
// is called from the daemon's io_context thread: the rows and the registry lock internally.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <prometheus/registry.h>

#include "common/metric_options.h"
#include "common/output/metrics/exposition.h"
#include "common/probe_result.h"
#include "common/probe_spec.h"

namespace proxywatch {

// The Content-Type of serialize()'s output (Prometheus text exposition format 0.0.4).
inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// The `file` label values record_config_load and set_config_valid accept.
inline constexpr std::string_view kConfigFileProxy = "proxy";
inline constexpr std::string_view kConfigFileYaml = "yaml";
inline constexpr std::string_view kConfigFileWeb = "web";  // web_config_file

template <class Row>
class PairTable;

// Per-(proxy, target) series kept elsewhere (the tracker's, tracker_metrics.h), written by
// Metrics after its own: expose() must be safe from the listener's thread.
class PairSeriesSource {
 public:
  virtual void expose(ExpositionWriter& writer) const = 0;

 protected:
  ~PairSeriesSource() = default;
};

class Metrics {
 public:
  // Registers every family and sets proxywatch_build_info{version, revision} to 1.
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Updates every per-probe series of (proxy, target) from one finished probe. `proxy` is
  // "host:port" or "none"; anything up to an '@' is dropped so credentials never become a label.
  void record_probe(const std::string& proxy, const std::string& target, const ProbeResult& result);

  // Selects the per-target series (metric_options.h). A change removes every pair's series:
  // each comes back in the new set with the pair's next probe.
  void set_options(const MetricOptions& options);

  // The pair's phase deadlines, where its latency histograms' buckets end (histograms: true).
  void set_phase_timeouts(const std::string& proxy, const std::string& target,
                          const PhaseTimeouts& timeouts);

  // Sets proxywatch_probe_interval_seconds of (proxy, target): how often the pair is probed,
  // which the alert on stuck probing compares with
  // proxywatch_probe_last_completed_timestamp_seconds.
  void set_probe_interval(const std::string& proxy, const std::string& target,
                          std::chrono::duration<double> interval);

  // Sets proxywatch_target_info{proxy, target, service, destination} to 1, replacing the
  // pair's earlier series when the service or destination changed.
  void set_target_info(const std::string& proxy, const std::string& target,
                       std::string_view service, std::string_view destination);

  // Sets proxywatch_proxy_configured and moves proxywatch_proxy_info to the new proxy
  // ("none" when nullopt).
  void set_proxy(std::optional<std::string> proxy);

  // Counts one load of `file` ("proxy", "yaml" or "web") as applied or rejected, stamps the time,
  // sets its warning count and config_valid (applied → 1, rejected → 0). Throws on an unknown file.
  void record_config_load(std::string_view file, bool applied, std::size_t warnings,
                          std::chrono::system_clock::time_point when);

  // Sets proxywatch_config_valid{file} (e.g. at start-up). Throws on an unknown file.
  void set_config_valid(std::string_view file, bool valid);

  // Removes every series labelled with this (proxy, target); a later probe starts afresh.
  void forget_target(const std::string& proxy, const std::string& target);

  // Removes every per-target series labelled with `proxy` (proxy_info is set_proxy's business),
  // in time linear in the series (10,000 pairs: docs/benchmarks.md).
  void forget_proxy(const std::string& proxy);

  // Writes every series — the pairs', the sources', the registry's, the process metrics
  // (process_metrics.h) and `extra` (families kept elsewhere, e.g. the listener's) — in the
  // text exposition format (see kMetricsContentType) to `sink`, piece by piece. Safe from any
  // thread.
  void write(const ExpositionSink& sink,
             const std::vector<prometheus::MetricFamily>& extra = {}) const;
  // write() into one string.
  std::string serialize(const std::vector<prometheus::MetricFamily>& extra = {}) const;

  // The registry, for sinks that register process-wide families of their own.
  prometheus::Registry& registry() { return registry_; }
  // Adds per-pair series kept elsewhere to what write() writes; `source` must stay alive until
  // it is removed.
  void add_source(const PairSeriesSource* source);
  void remove_source(const PairSeriesSource* source);

 private:
  struct Families;
  struct TargetSeries;
  struct ConfigSeries;

  // Runs f(row) on the pair's row, made in the current series set when absent.
  template <class F>
  void update_pair(const std::string& proxy, const std::string& target, F f);
  ConfigSeries& config_series(std::string_view file);

  // Declared first: the cached series below point into it.
  prometheus::Registry registry_;
  std::unique_ptr<Families> families_;
  std::unique_ptr<PairTable<TargetSeries>> targets_;
  MetricOptions options_;
  std::array<std::unique_ptr<ConfigSeries>, 3> config_;  // indexed "proxy", "yaml", "web"
  prometheus::Gauge* proxy_configured_ = nullptr;
  prometheus::Gauge* proxy_info_ = nullptr;
  std::string proxy_info_label_;
  mutable std::mutex sources_mutex_;
  std::vector<const PairSeriesSource*> sources_;
};

}  // namespace proxywatch
