// What the metrics tests share: probe results to record, and reading a series back from the
// text exposition, the same text a scraper gets.
#pragma once

#include <cstddef>
#include <optional>
#include <sstream>
#include <string>

#include "common/probe_result.h"

namespace proxywatch {

inline constexpr const char* kProxy = "10.10.10.1:80";
inline constexpr const char* kTarget = "tools.cisco.com:443";
// The labels prometheus-cpp writes for (kProxy, kTarget), in its (sorted) order.
inline const std::string kSeries = R"(proxy="10.10.10.1:80",target="tools.cisco.com:443")";

// The value of the series written exactly as `series` ("name{labels}"), or nullopt if absent.
inline std::optional<double> value_of(const std::string& text, const std::string& series) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return std::nullopt;
}

// "metric{<before>,proxy=…,target=…<,after>}": prometheus-cpp writes label names sorted, so
// labels named before "proxy" (cipher, direction, outcome, phase) go first.
inline std::string series(const std::string& metric, const std::string& before = "",
                          const std::string& after = "") {
  return metric + "{" + (before.empty() ? "" : before + ",") + kSeries +
         (after.empty() ? "" : "," + after) + "}";
}

// One bucket of proxywatch_probe_phase_latency_seconds (the serializer appends le last).
inline std::string bucket(const std::string& phase, const std::string& le) {
  return series("proxywatch_probe_phase_latency_seconds_bucket", "phase=\"" + phase + "\"",
                "le=\"" + le + "\"");
}

// The number of exposition lines that contain `needle`.
inline int lines_with(const std::string& text, const std::string& needle) {
  std::istringstream lines(text);
  int count = 0;
  for (std::string line; std::getline(lines, line);) count += line.find(needle) != line.npos;
  return count;
}

inline ProbeResult ok_result() {
  ProbeResult r;
  r.outcome = Outcome::kOk;
  r.phases[static_cast<size_t>(Phase::kTcpConnect)] = Seconds(0.003);
  r.phases[static_cast<size_t>(Phase::kProxyConnect)] = Seconds(0.02);
  r.phases[static_cast<size_t>(Phase::kTlsHandshake)] = Seconds(0.2);
  r.total = Seconds(0.25);
  r.connect_status = 200;
  r.http_status = 302;
  r.bytes = 1234;
  r.throughput_bytes_per_s = 5000;
  TcpInfo tcp;
  tcp.rtt_us = 1500;
  tcp.retransmits = 2;
  tcp.snd_mss = 1448;
  tcp.rcv_mss = 536;
  tcp.pmtu = 1500;
  r.tcp_after_connect = tcp;
  r.tls.version = "TLSv1.3";
  r.tls.cipher = "TLS_AES_256_GCM_SHA384";
  r.tls.issuer = "CN=Test CA";
  r.tls.not_after = 1'900'000'000;
  return r;
}

inline ProbeResult failed_result(Outcome outcome, Phase phase) {
  ProbeResult r;
  r.outcome = outcome;
  r.phase = phase;
  r.phases[static_cast<size_t>(Phase::kTcpConnect)] = Seconds(0.001);
  r.phases[static_cast<size_t>(phase)] = Seconds(4.0);
  r.total = Seconds(4.5);
  return r;
}

}  // namespace proxywatch
