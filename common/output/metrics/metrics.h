// Metrics: the Prometheus view of the daemon. It owns a prometheus-cpp Registry, turns each
// ProbeResult into the proxywatch_probe_* series of its (proxy, target), keeps the process-wide
// series (proxy, config, build info) and renders the text exposition format for the HTTP
// listener. The catalogue is documented in docs/metrics.md; names and labels are public
// interface (dashboards and alert rules use them): add to them, never rename.
//
// Thread-safety: not thread-safe, but for serialize(). Every other member is meant to be called
// from the daemon's io_context thread (the prometheus-cpp registry locks internally, our series
// cache does not); serialize() runs on the listener's thread.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <prometheus/registry.h>

#include "common/probe_result.h"

namespace proxywatch {

// The Content-Type of serialize()'s output (Prometheus text exposition format 0.0.4).
inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// The `file` label values record_config_load and set_config_valid accept.
inline constexpr std::string_view kConfigFileProxy = "proxy";
inline constexpr std::string_view kConfigFileYaml = "yaml";
inline constexpr std::string_view kConfigFileWeb = "web";  // web_config_file

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

  // The whole registry, the process metrics (process_metrics.h) and `extra` (families kept
  // elsewhere, e.g. the listener's) in the text exposition format (see kMetricsContentType).
  // Safe from any thread: it reads only the registry, which prometheus-cpp locks.
  std::string serialize(std::vector<prometheus::MetricFamily> extra = {}) const;

  // The registry, for sinks that register families of their own (health, diagnoses).
  prometheus::Registry& registry() { return registry_; }

 private:
  struct Families;
  struct TargetSeries;
  struct ConfigSeries;
  // Orders (proxy, target) keys and lets string_view pairs look them up without copies.
  struct KeyLess {
    using is_transparent = void;
    using View = std::pair<std::string_view, std::string_view>;
    static View view(const std::pair<std::string, std::string>& key) {
      return {key.first, key.second};
    }
    static View view(const View& key) { return key; }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return view(a) < view(b);
    }
  };
  using TargetMap =
      std::map<std::pair<std::string, std::string>, std::unique_ptr<TargetSeries>, KeyLess>;

  TargetSeries& series_for(const std::string& proxy, const std::string& target);
  ConfigSeries& config_series(std::string_view file);
  void erase_target(TargetMap::iterator it);

  // Declared first: the cached series below point into it.
  prometheus::Registry registry_;
  std::unique_ptr<Families> families_;
  TargetMap targets_;
  std::array<std::unique_ptr<ConfigSeries>, 3> config_;  // indexed "proxy", "yaml", "web"
  prometheus::Gauge* proxy_configured_ = nullptr;
  prometheus::Gauge* proxy_info_ = nullptr;
  std::string proxy_info_label_;
};

}  // namespace proxywatch
