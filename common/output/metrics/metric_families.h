// The metric families of Metrics (metrics.h), registered in catalogue order, and the small
// helpers the per-target series (target_series.cc) and the process-wide ones (metrics.cc) share.
// Internal to the metrics room.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
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

// remove_series for each of `metrics`.
template <class T, std::size_t N>
void remove_each_series(prometheus::Family<T>& family, std::array<T*, N>& metrics) {
  for (T*& metric : metrics) remove_series(family, metric);
}

// Removes from `family` every series whose labels satisfy `matches`, in the family's own order
// (see remove_matching_series).
template <class T, class Matches, class... Args>
void remove_series_where(prometheus::Family<T>& family, Matches matches, const Args&... args) {
  for (const prometheus::MetricFamily& collected : family.Collect()) {
    for (const prometheus::ClientMetric& metric : collected.metric) {
      prometheus::Labels labels;
      for (const auto& label : metric.label) labels.emplace(label.name, label.value);
      if (matches(labels)) family.Remove(&family.Add(labels, args...));
    }
  }
}

// Removes from `family` every series whose labels include all of `match` ({proxy=...}), in the
// family's own order. prometheus-cpp 1.0's Family::Remove looks for a series from the family's
// first one, so removing thousands one after the other in another order is quadratic: a proxy
// change with 10,000 targets blocked the daemon for minutes (docs/benchmarks.md). In the family's
// order each one is found first. `args` are what Add needs (a histogram's buckets): Add only
// looks up the series, which exists.
template <class T, class... Args>
void remove_matching_series(prometheus::Family<T>& family, const prometheus::Labels& match,
                            const Args&... args) {
  remove_series_where(
      family,
      [&](const prometheus::Labels& labels) {
        return std::includes(labels.begin(), labels.end(), match.begin(), match.end());
      },
      args...);
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
  pm::Family<pm::Gauge>& success =
      gauge("proxywatch_probe_success", "1 if the last probe succeeded, else 0");
  pm::Family<pm::Gauge>& duration =
      gauge("proxywatch_probe_duration_seconds", "Duration of the last probe");
  pm::Family<pm::Histogram>& phase_duration =
      pm::BuildHistogram()
          .Name("proxywatch_probe_phase_duration_seconds")
          .Help("Duration of each probe phase that completed (the failing phase is not observed)")
          .Register(registry);
  pm::Family<pm::Counter>& probes =
      counter("proxywatch_probes_total", "Probes finished, by outcome");
  pm::Family<pm::Gauge>& last_outcome =
      gauge("proxywatch_probe_last_outcome_info",
            "1 for the outcome and failing phase of the last probe");
  pm::Family<pm::Gauge>& connect_status =
      gauge("proxywatch_probe_connect_status_code",
            "Status code of the proxy's answer to CONNECT in the last probe, 0 if none");
  pm::Family<pm::Gauge>& http_status =
      gauge("proxywatch_probe_http_status_code",
            "Origin's HTTP status code in the last probe, 0 if none");
  pm::Family<pm::Gauge>& body_bytes =
      gauge("proxywatch_probe_body_bytes", "Body bytes read in the last probe");
  pm::Family<pm::Gauge>& throughput =
      gauge("proxywatch_probe_throughput_bytes_per_second",
            "Body bytes per second over the transfer phase of the last probe");
  pm::Family<pm::Counter>& stalls =
      counter("proxywatch_stalls_total", "Probes that stalled, by failing phase");
  pm::Family<pm::Counter>& resets =
      counter("proxywatch_resets_total", "Failed probes the peer ended with an RST, by phase");
  pm::Family<pm::Counter>& auth_challenges =
      counter("proxywatch_proxy_auth_challenges_total",
              "Probes whose proxy asked to authenticate (407), by scheme offered");
  pm::Family<pm::Counter>& auth_results =
      counter("proxywatch_proxy_auth_total",
              "Probes whose proxy asked to authenticate, by result (ok, failed, required, "
              "unsupported, insecure)");
  pm::Family<pm::Gauge>& tcp_rtt =
      gauge("proxywatch_tcp_rtt_seconds", "Smoothed TCP round-trip time to the proxy");
  pm::Family<pm::Counter>& retransmits = counter("proxywatch_tcp_retransmitted_segments_total",
                                                 "TCP segments retransmitted on probe connections");
  pm::Family<pm::Gauge>& tcp_mss =
      gauge("proxywatch_tcp_mss_bytes", "TCP maximum segment size of the probe connection");
  pm::Family<pm::Gauge>& pmtu =
      gauge("proxywatch_tcp_path_mtu_bytes", "Path MTU of the probe connection");
  pm::Family<pm::Gauge>& cert_not_after =
      gauge("proxywatch_tls_cert_not_after_timestamp_seconds",
            "Expiry of the origin's leaf certificate, seconds since the epoch");
  pm::Family<pm::Gauge>& tls_info =
      gauge("proxywatch_tls_info", "1 for the parameters of the last TLS session");
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
  pm::Family<pm::Gauge>& last_completed =
      gauge("proxywatch_probe_last_completed_timestamp_seconds",
            "When the last probe of the pair completed, seconds since the epoch");
  pm::Family<pm::Gauge>& interval =
      gauge("proxywatch_probe_interval_seconds", "The pair's configured probe interval");
  pm::Family<pm::Gauge>& target_info =
      gauge("proxywatch_target_info",
            "1, labelled with the FMC feature the target stands for (service) and what is probed "
            "(destination: host:port through CONNECT, or an http:// URL)");
  pm::Family<pm::Gauge>& build_info =
      gauge("proxywatch_build_info", "1, labelled with the proxywatch version and revision");

  // Removes the series of every pair whose labels include `match` from the families of
  // TargetSeries (the ones its remove_all_series() empties), each in one ordered pass.
  void remove_pair_series(const pm::Labels& match) {
    for (pm::Family<pm::Gauge>* f :
         {&success, &duration, &connect_status, &http_status, &body_bytes, &throughput, &tcp_rtt,
          &tcp_mss, &pmtu, &cert_not_after, &last_outcome, &tls_info, &last_completed, &interval,
          &target_info}) {
      remove_matching_series(*f, match);
    }
    for (pm::Family<pm::Counter>* f :
         {&retransmits, &probes, &stalls, &resets, &auth_challenges, &auth_results}) {
      remove_matching_series(*f, match);
    }
    remove_matching_series(phase_duration, match, pm::Histogram::BucketBoundaries{});
  }
};

}  // namespace proxywatch
