// Metrics: synthetic ProbeResults in, Prometheus text exposition out. Each test reads the
// series it cares about back from serialize(), the same text a scraper gets.
#include "common/output/metrics/metrics.h"

#include <chrono>
#include <cstdio>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "common/output/metrics/tracker_metrics.h"

namespace proxywatch {
namespace {

constexpr const char* kProxy = "10.10.10.1:80";
constexpr const char* kTarget = "tools.cisco.com:443";
// The labels prometheus-cpp writes for (kProxy, kTarget), in its (sorted) order.
const std::string kSeries = R"(proxy="10.10.10.1:80",target="tools.cisco.com:443")";

// The value of the series written exactly as `series` ("name{labels}"), or nullopt if absent.
std::optional<double> value_of(const std::string& text, const std::string& series) {
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
std::string series(const std::string& metric, const std::string& before = "",
                   const std::string& after = "") {
  return metric + "{" + (before.empty() ? "" : before + ",") + kSeries +
         (after.empty() ? "" : "," + after) + "}";
}

// One bucket of proxywatch_probe_phase_duration_seconds (the serializer appends le last).
std::string bucket(const std::string& phase, const std::string& le) {
  return series("proxywatch_probe_phase_duration_seconds_bucket", "phase=\"" + phase + "\"",
                "le=\"" + le + "\"");
}

// The number of exposition lines that contain `needle`.
int lines_with(const std::string& text, const std::string& needle) {
  std::istringstream lines(text);
  int count = 0;
  for (std::string line; std::getline(lines, line);) count += line.find(needle) != line.npos;
  return count;
}

ProbeResult ok_result() {
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

ProbeResult failed_result(Outcome outcome, Phase phase) {
  ProbeResult r;
  r.outcome = outcome;
  r.phase = phase;
  r.phases[static_cast<size_t>(Phase::kTcpConnect)] = Seconds(0.001);
  r.phases[static_cast<size_t>(phase)] = Seconds(4.0);
  r.total = Seconds(4.5);
  return r;
}

TEST(MetricsTest, SuccessfulProbeSetsLastProbeGauges) {
  Metrics m;
  m.record_probe(kProxy, kTarget, ok_result());
  const std::string text = m.serialize();
  EXPECT_EQ(value_of(text, series("proxywatch_probe_success")), 1);
  EXPECT_EQ(value_of(text, series("proxywatch_probe_duration_seconds")), 0.25);
  EXPECT_EQ(value_of(text, series("proxywatch_probe_connect_status_code")), 200);
  EXPECT_EQ(value_of(text, series("proxywatch_probe_http_status_code")), 302);
  EXPECT_EQ(value_of(text, series("proxywatch_probe_body_bytes")), 1234);
  EXPECT_EQ(value_of(text, series("proxywatch_probe_throughput_bytes_per_second")), 5000);
}

TEST(MetricsTest, FailedProbeClearsSuccessAndStatusCodes) {
  Metrics m;
  m.record_probe(kProxy, kTarget, ok_result());
  m.record_probe(kProxy, kTarget, failed_result(Outcome::kProxyStalled, Phase::kProxyConnect));
  const std::string text = m.serialize();
  EXPECT_EQ(value_of(text, series("proxywatch_probe_success")), 0);
  EXPECT_EQ(value_of(text, series("proxywatch_probe_connect_status_code")), 0);
  EXPECT_EQ(value_of(text, series("proxywatch_probe_duration_seconds")), 4.5);
}

TEST(MetricsTest, PhaseHistogramObservesCompletedPhasesButNotTheFailingOne) {
  Metrics m;
  m.record_probe(kProxy, kTarget, ok_result());
  m.record_probe(kProxy, kTarget, failed_result(Outcome::kTlsStalled, Phase::kTlsHandshake));
  const std::string text = m.serialize();
  const std::string name = "proxywatch_probe_phase_duration_seconds";
  // tcp_connect completed in both probes: 3 ms and 1 ms.
  EXPECT_EQ(value_of(text, series(name + "_count", "phase=\"tcp_connect\"")), 2);
  EXPECT_EQ(value_of(text, bucket("tcp_connect", "0.001")), 1);
  EXPECT_EQ(value_of(text, bucket("tcp_connect", "0.0025")), 1);
  EXPECT_EQ(value_of(text, bucket("tcp_connect", "0.005")), 2);
  EXPECT_EQ(value_of(text, bucket("tcp_connect", "+Inf")), 2);
  // tls_handshake: the ok probe's 0.2 s only; the stalled one's 4 s until its deadline is not a
  // latency and stays out.
  EXPECT_EQ(value_of(text, series(name + "_count", "phase=\"tls_handshake\"")), 1);
  EXPECT_DOUBLE_EQ(*value_of(text, series(name + "_sum", "phase=\"tls_handshake\"")), 0.2);
  EXPECT_EQ(value_of(text, bucket("tls_handshake", "0.25")), 1);
  EXPECT_EQ(value_of(text, series(name + "_count", "phase=\"proxy_connect\"")), 1);
  // Phases that never ran have no series.
  EXPECT_EQ(lines_with(text, "phase=\"dns\""), 2);  // only stalls_total and resets_total
  EXPECT_EQ(value_of(text, series(name + "_count", "phase=\"dns\"")), std::nullopt);
  EXPECT_EQ(value_of(text, series(name + "_count", "phase=\"transfer\"")), std::nullopt);
}

TEST(MetricsTest, PhaseBucketsReachTheLongestDeadline) {
  Metrics m;
  ProbeResult slow = ok_result();
  slow.phases[static_cast<size_t>(Phase::kTransfer)] = Seconds(45.0);  // transfer deadline: 60 s
  m.record_probe(kProxy, kTarget, slow);
  const std::string text = m.serialize();
  EXPECT_EQ(value_of(text, bucket("transfer", "30")), 0);
  EXPECT_EQ(value_of(text, bucket("transfer", "60")), 1);
  EXPECT_EQ(value_of(text, bucket("transfer", "+Inf")), 1);
}

TEST(MetricsTest, LastCompletedTimestampAndIntervalPerPair) {
  Metrics m;
  ProbeResult r = ok_result();
  r.started = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  m.set_probe_interval(kProxy, kTarget, std::chrono::seconds(60));
  m.record_probe(kProxy, kTarget, r);
  std::string text = m.serialize();
  EXPECT_DOUBLE_EQ(*value_of(text, series("proxywatch_probe_last_completed_timestamp_seconds")),
                   1'700'000'000.25);
  EXPECT_EQ(value_of(text, series("proxywatch_probe_interval_seconds")), 60);
  m.forget_target(kProxy, kTarget);
  text = m.serialize();
  EXPECT_EQ(lines_with(text, "proxywatch_probe_last_completed_timestamp_seconds{"), 0);
  EXPECT_EQ(lines_with(text, "proxywatch_probe_interval_seconds{"), 0);
}

TEST(MetricsTest, ProcessMetricsAreExposed) {
  Metrics m;
  const std::string text = m.serialize();
  EXPECT_GT(value_of(text, "process_resident_memory_bytes").value_or(0), 1e5);
  EXPECT_GT(value_of(text, "process_open_fds").value_or(0), 2);
  EXPECT_GT(value_of(text, "process_max_fds").value_or(0), 0);
  EXPECT_GE(value_of(text, "process_cpu_seconds_total").value_or(-1), 0);
  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter"), std::string::npos);
  // Started within the last day, as this test process did.
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const double start = value_of(text, "process_start_time_seconds").value_or(0);
  EXPECT_LE(start, now + 1);
  EXPECT_GT(start, now - 86400);
}

TEST(MetricsTest, ProbesTotalCountsEachOutcomeFromZero) {
  Metrics m;
  m.record_probe(kProxy, kTarget, ok_result());
  m.record_probe(kProxy, kTarget, ok_result());
  m.record_probe(kProxy, kTarget, failed_result(Outcome::kProxyDenied, Phase::kProxyConnect));
  const std::string text = m.serialize();
  const std::string name = "proxywatch_probes_total";
  EXPECT_EQ(value_of(text, series(name, "outcome=\"ok\"")), 2);
  EXPECT_EQ(value_of(text, series(name, "outcome=\"proxy_denied\"")), 1);
  // Every outcome exists from the first probe on, so increase() sees the first failure.
  EXPECT_EQ(value_of(text, series(name, "outcome=\"tls_reset\"")), 0);
  EXPECT_EQ(lines_with(text, name + "{"), static_cast<int>(kAllOutcomes.size()));
}

TEST(MetricsTest, ChangingOutcomeReplacesTheLastOutcomeSeries) {
  Metrics m;
  const std::string name = "proxywatch_probe_last_outcome_info";
  m.record_probe(kProxy, kTarget, ok_result());
  std::string text = m.serialize();
  EXPECT_EQ(value_of(text, series(name, "outcome=\"ok\",phase=\"none\"")), 1);
  m.record_probe(kProxy, kTarget, failed_result(Outcome::kHttpStalled, Phase::kTransfer));
  text = m.serialize();
  EXPECT_EQ(value_of(text, series(name, "outcome=\"http_stalled\",phase=\"transfer\"")), 1);
  EXPECT_EQ(value_of(text, series(name, "outcome=\"ok\",phase=\"none\"")), std::nullopt);
  EXPECT_EQ(lines_with(text, name + "{"), 1);
}

TEST(MetricsTest, StallsAreCountedByFailingPhase) {
  Metrics m;
  m.record_probe(kProxy, kTarget, failed_result(Outcome::kTlsStalled, Phase::kTlsHandshake));
  m.record_probe(kProxy, kTarget, failed_result(Outcome::kTlsStalled, Phase::kTlsHandshake));
  m.record_probe(kProxy, kTarget, failed_result(Outcome::kHttpStalled, Phase::kTransfer));
  // Not a stall: refused is an answer, not silence.
  m.record_probe(kProxy, kTarget, failed_result(Outcome::kTcpRefused, Phase::kTcpConnect));
  const std::string text = m.serialize();
  const std::string name = "proxywatch_stalls_total";
  EXPECT_EQ(value_of(text, series(name, "phase=\"tls_handshake\"")), 2);
  EXPECT_EQ(value_of(text, series(name, "phase=\"transfer\"")), 1);
  EXPECT_EQ(value_of(text, series(name, "phase=\"tcp_connect\"")), 0);
}

TEST(MetricsTest, ResetsAreCountedByFailingPhaseForFailedProbesOnly) {
  Metrics m;
  ProbeResult reset = failed_result(Outcome::kTlsReset, Phase::kTlsHandshake);
  reset.peer_close = PeerClose::kRst;
  m.record_probe(kProxy, kTarget, reset);
  // An ok probe whose peer ended with RST after the work was done is no failure.
  ProbeResult ok = ok_result();
  ok.peer_close = PeerClose::kRst;
  m.record_probe(kProxy, kTarget, ok);
  ProbeResult cut = failed_result(Outcome::kHttpIncomplete, Phase::kTransfer);
  cut.peer_close = PeerClose::kRst;
  m.record_probe(kProxy, kTarget, cut);
  const std::string text = m.serialize();
  const std::string name = "proxywatch_resets_total";
  EXPECT_EQ(value_of(text, series(name, "phase=\"tls_handshake\"")), 1);
  EXPECT_EQ(value_of(text, series(name, "phase=\"transfer\"")), 1);
  EXPECT_EQ(value_of(text, series(name, "phase=\"proxy_connect\"")), 0);
}

// proxywatch_proxy_auth_total{proxy, result, target}: `result` sorts between the pair's labels.
std::string auth_series(const std::string& result) {
  return R"(proxywatch_proxy_auth_total{proxy="10.10.10.1:80",result=")" + result +
         R"(",target="tools.cisco.com:443"})";
}

// docs/metrics.md promises result="insecure" for proxy_auth_insecure; it used to be counted as
// "unsupported".
TEST(MetricsTest, InsecureAuthenticationIsCountedAsInsecureNotUnsupported) {
  Metrics m;
  ProbeResult r = failed_result(Outcome::kProxyAuthInsecure, Phase::kProxyConnect);
  r.connect_status = 407;
  r.auth_schemes = {"Basic"};
  m.record_probe(kProxy, kTarget, r);
  const std::string text = m.serialize();
  EXPECT_EQ(value_of(text, auth_series("insecure")), 1) << text;
  EXPECT_EQ(value_of(text, auth_series("unsupported")), std::nullopt);
  EXPECT_EQ(value_of(text, R"(proxywatch_proxy_auth_challenges_total{proxy="10.10.10.1:80",)"
                           R"(scheme="basic",target="tools.cisco.com:443"})"),
            1);
}

// Every authentication outcome under its own label, "ok" for credentials accepted whatever
// happened after the CONNECT, and no series for a probe the proxy never asked to authenticate.
TEST(MetricsTest, AuthResultsCountEachOutcomeUnderItsDocumentedLabel) {
  const std::pair<Outcome, std::string> cases[] = {
      {Outcome::kProxyAuthFailed, "failed"},
      {Outcome::kProxyAuthRequired, "required"},
      {Outcome::kProxyAuthUnsupported, "unsupported"},
      {Outcome::kProxyAuthInsecure, "insecure"},
      {Outcome::kTlsFailed, "ok"},
      {Outcome::kOk, "ok"},
  };
  for (const auto& [outcome, result] : cases) {
    SCOPED_TRACE(std::string(to_string(outcome)));
    Metrics m;
    ProbeResult r =
        outcome == Outcome::kOk ? ok_result() : failed_result(outcome, Phase::kProxyConnect);
    r.auth_schemes = {"Digest", "Basic"};
    if (result == "ok") r.auth_scheme = "Digest SHA-256";
    m.record_probe(kProxy, kTarget, r);
    const std::string text = m.serialize();
    EXPECT_EQ(value_of(text, auth_series(result)), 1) << text;
    EXPECT_EQ(lines_with(text, "proxywatch_proxy_auth_total{"), 1);
  }
  Metrics m;
  m.record_probe(kProxy, kTarget, ok_result());
  m.record_probe(kProxy, kTarget, failed_result(Outcome::kProxyDenied, Phase::kProxyConnect));
  const std::string text = m.serialize();
  EXPECT_EQ(lines_with(text, "proxywatch_proxy_auth_total{"), 0);
  EXPECT_EQ(lines_with(text, "proxywatch_proxy_auth_challenges_total{"), 0);
}

TEST(MetricsTest, TcpInfoIsReportedInBaseUnitsAndRetransmitsAccumulate) {
  Metrics m;
  m.record_probe(kProxy, kTarget, ok_result());
  ProbeResult second = ok_result();
  second.tcp_at_end = TcpInfo{};  // tcp() prefers the last snapshot
  second.tcp_at_end->rtt_us = 2500;
  second.tcp_at_end->retransmits = 3;
  second.tcp_at_end->snd_mss = 500;
  second.tcp_at_end->rcv_mss = 1448;
  second.tcp_at_end->pmtu = 576;
  m.record_probe(kProxy, kTarget, second);
  const std::string text = m.serialize();
  EXPECT_EQ(value_of(text, series("proxywatch_tcp_rtt_seconds")), 0.0025);
  EXPECT_EQ(value_of(text, series("proxywatch_tcp_retransmitted_segments_total")), 5);
  EXPECT_EQ(value_of(text, series("proxywatch_tcp_mss_bytes", "direction=\"send\"")), 500);
  EXPECT_EQ(value_of(text, series("proxywatch_tcp_mss_bytes", "direction=\"receive\"")), 1448);
  EXPECT_EQ(value_of(text, series("proxywatch_tcp_path_mtu_bytes")), 576);
}

TEST(MetricsTest, TcpAndTlsSeriesAppearOnlyOnceMeasured) {
  Metrics m;
  m.record_probe(kProxy, kTarget, failed_result(Outcome::kTcpRefused, Phase::kTcpConnect));
  const std::string text = m.serialize();
  EXPECT_EQ(value_of(text, series("proxywatch_tcp_rtt_seconds")), std::nullopt);
  EXPECT_EQ(value_of(text, series("proxywatch_tls_cert_not_after_timestamp_seconds")),
            std::nullopt);
  EXPECT_EQ(lines_with(text, "proxywatch_tls_info{"), 0);
  EXPECT_EQ(value_of(text, series("proxywatch_tcp_retransmitted_segments_total")), 0);
}

TEST(MetricsTest, TlsInfoIsReplacedWhenAnyLabelChanges) {
  Metrics m;
  m.record_probe(kProxy, kTarget, ok_result());
  ProbeResult inspected = ok_result();
  inspected.tls.issuer = "CN=Inspecting Proxy CA";
  inspected.tls.not_after = 1'800'000'000;
  m.record_probe(kProxy, kTarget, inspected);
  std::string text = m.serialize();
  EXPECT_EQ(lines_with(text, "proxywatch_tls_info{"), 1);
  EXPECT_EQ(lines_with(text, "issuer=\"CN=Inspecting Proxy CA\""), 1);
  EXPECT_EQ(value_of(text, series("proxywatch_tls_cert_not_after_timestamp_seconds")), 1.8e9);
  // A probe that failed before TLS keeps what the last handshake showed.
  m.record_probe(kProxy, kTarget, failed_result(Outcome::kProxyDenied, Phase::kProxyConnect));
  text = m.serialize();
  EXPECT_EQ(lines_with(text, "issuer=\"CN=Inspecting Proxy CA\""), 1);
  EXPECT_EQ(value_of(text, series("proxywatch_tls_cert_not_after_timestamp_seconds")), 1.8e9);
}

TEST(MetricsTest, FailedVerificationStillReportsTheIssuer) {
  Metrics m;
  ProbeResult inspected = failed_result(Outcome::kTlsVerifyFailed, Phase::kTlsHandshake);
  inspected.tls.issuer = "CN=Inspecting Proxy CA";
  m.record_probe(kProxy, kTarget, inspected);
  EXPECT_EQ(value_of(m.serialize(),
                     series("proxywatch_tls_info", R"(cipher="",issuer="CN=Inspecting Proxy CA")",
                            R"(version="")")),
            1);
}

TEST(MetricsTest, ForgetTargetRemovesEverySeriesOfThatTargetOnly) {
  Metrics m;
  ProbeResult reset = failed_result(Outcome::kTlsReset, Phase::kTlsHandshake);
  reset.peer_close = PeerClose::kRst;
  m.record_probe(kProxy, kTarget, ok_result());
  m.record_probe(kProxy, kTarget, reset);
  m.record_probe(kProxy, "smartreceiver.cisco.com:443", ok_result());
  m.forget_target(kProxy, kTarget);
  const std::string text = m.serialize();
  EXPECT_EQ(lines_with(text, "target=\"tools.cisco.com:443\""), 0) << text;
  EXPECT_GT(lines_with(text, "target=\"smartreceiver.cisco.com:443\""), 0);
  // A later probe starts afresh.
  m.record_probe(kProxy, kTarget, ok_result());
  EXPECT_EQ(value_of(m.serialize(), series("proxywatch_probes_total", "outcome=\"ok\"")), 1);
}

TEST(MetricsTest, ForgetProxyRemovesEveryTargetOfThatProxyOnly) {
  Metrics m;
  m.record_probe(kProxy, kTarget, ok_result());
  m.record_probe(kProxy, "smartreceiver.cisco.com:443", ok_result());
  m.record_probe("10.10.10.2:3128", kTarget, ok_result());
  m.forget_proxy(kProxy);
  const std::string text = m.serialize();
  EXPECT_EQ(lines_with(text, "proxy=\"10.10.10.1:80\""), 0) << text;
  EXPECT_GT(lines_with(text, "proxy=\"10.10.10.2:3128\""), 0);
}

TEST(MetricsTest, SetProxyMovesProxyInfoAndReportsNone) {
  Metrics m;
  m.set_proxy("10.10.10.1:80");
  m.set_proxy("proxy.example.com:3128");
  std::string text = m.serialize();
  EXPECT_EQ(value_of(text, "proxywatch_proxy_configured"), 1);
  EXPECT_EQ(value_of(text, R"(proxywatch_proxy_info{proxy="proxy.example.com:3128"})"), 1);
  EXPECT_EQ(lines_with(text, "proxywatch_proxy_info{"), 1);
  m.set_proxy(std::nullopt);
  text = m.serialize();
  EXPECT_EQ(value_of(text, "proxywatch_proxy_configured"), 0);
  EXPECT_EQ(value_of(text, R"(proxywatch_proxy_info{proxy="none"})"), 1);
  EXPECT_EQ(lines_with(text, "proxywatch_proxy_info{"), 1);
}

TEST(MetricsTest, CredentialsNeverBecomeLabels) {
  Metrics m;
  m.set_proxy("user:s3cret@10.10.10.1:80");
  m.record_probe("user:s3cret@10.10.10.1:80", kTarget, ok_result());
  const std::string text = m.serialize();
  EXPECT_EQ(text.find("s3cret"), std::string::npos);
  EXPECT_EQ(value_of(text, series("proxywatch_probe_success")), 1);
}

// The tracker's series use the same proxy label as the probe series, so the two join.
TEST(TrackerMetricsTest, ProxyLabelIsTheProbeSeriesOne) {
  Metrics m;
  TrackerMetrics tracker(m.registry());
  m.record_probe("user:s3cret@10.10.10.1:80", kTarget, ok_result());
  PairHistory history;
  history.health = HealthState::kHealthy;
  tracker.update("user:s3cret@10.10.10.1:80", kTarget, history);
  const std::string text = m.serialize();
  EXPECT_EQ(text.find("s3cret"), std::string::npos);
  EXPECT_EQ(value_of(text,
                     "proxywatch_health_state{proxy=\"10.10.10.1:80\",state=\"healthy\","
                     "target=\"tools.cisco.com:443\"}"),
            1);
  EXPECT_EQ(value_of(text, series("proxywatch_probe_success")), 1);
}

TEST(MetricsTest, ConfigLoadsAreCountedStampedAndValidated) {
  Metrics m;
  const auto when = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
  m.set_config_valid(kConfigFileProxy, true);
  m.record_config_load(kConfigFileYaml, true, 2, when);
  m.record_config_load(kConfigFileYaml, false, 0, when + std::chrono::seconds(5));
  const std::string text = m.serialize();
  EXPECT_EQ(value_of(text, R"(proxywatch_config_valid{file="proxy"})"), 1);
  EXPECT_EQ(value_of(text, R"(proxywatch_config_valid{file="yaml"})"), 0);
  EXPECT_EQ(value_of(text, R"(proxywatch_config_reloads_total{file="yaml",result="applied"})"), 1);
  EXPECT_EQ(value_of(text, R"(proxywatch_config_reloads_total{file="yaml",result="rejected"})"), 1);
  EXPECT_EQ(value_of(text, R"(proxywatch_config_reloads_total{file="proxy",result="applied"})"), 0);
  EXPECT_EQ(value_of(text, R"(proxywatch_config_last_reload_timestamp_seconds{file="yaml"})"),
            1'700'000'005);
  EXPECT_EQ(value_of(text, R"(proxywatch_config_warnings{file="yaml"})"), 0);
  EXPECT_THROW(m.set_config_valid("other", true), std::invalid_argument);
}

TEST(MetricsTest, BuildInfoCarriesTheVersionAndRevision) {
  Metrics m;
  const std::string text = m.serialize();
  // prometheus-cpp sorts the labels: revision, then version.
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line) && !line.starts_with("proxywatch_build_info{")) {
  }
  EXPECT_TRUE(line.starts_with("proxywatch_build_info{revision=\"")) << text;
  EXPECT_EQ(line.find("revision=\"\""), std::string::npos) << line;
  EXPECT_NE(line.find(std::string(",version=\"") + PROXYWATCH_VERSION + "\"} 1"), std::string::npos)
      << line;
}

}  // namespace
}  // namespace proxywatch
