// Metrics, the per-probe series: synthetic ProbeResults in, Prometheus text exposition out.
// What one probe sets, counts and replaces: gauges, outcomes, resets, authentication, TCP and
// TLS. What each series set adds (phases, outcome counters, stalls, histograms) is
// metrics_series_set_test.cc; the process-wide series are metrics_process_test.cc.
#include "common/output/metrics/metrics.h"

#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "tests/unit/output/metrics/metrics_text.h"

namespace proxywatch {
namespace {

TEST(MetricsTest, SuccessfulProbeSetsLastProbeGauges) {
  Metrics m;
  m.record_probe(kProxy, kTarget, ok_result());
  const std::string text = m.serialize();
  EXPECT_EQ(value_of(text, series("proxywatch_probe_success")), 1);
  EXPECT_EQ(value_of(text, series("proxywatch_probe_duration_seconds")), 0.25);
  EXPECT_EQ(value_of(text, series("proxywatch_probe_connect_status_code")), 200);
  EXPECT_EQ(value_of(text, series("proxywatch_probe_http_status_code")), 302);
  EXPECT_EQ(value_of(text, series("proxywatch_probe_body_bytes")), 1234);
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

}  // namespace
}  // namespace proxywatch
