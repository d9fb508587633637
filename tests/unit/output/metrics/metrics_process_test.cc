// Metrics, the process-wide series and those that span pairs: the proxy, config loads, build
// info and the /proc metrics; forgetting a target or a proxy; credentials kept out of labels,
// and the tracker's series joining the probe series. Per-probe series are metrics_test.cc.
#include "common/output/metrics/metrics.h"

#include <chrono>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "tests/unit/output/metrics/metrics_text.h"

#include "common/output/metrics/tracker_metrics.h"

namespace proxywatch {
namespace {

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

TEST(MetricsTest, LocalErrorsAreCountedByReasonEveryReasonFromZero) {
  Metrics m;
  const std::string before = m.serialize();
  for (LocalReason r : kAllLocalReasons) {
    std::string series =
        "proxywatch_local_errors_total{reason=\"" + std::string(to_string(r)) + "\"}";
    EXPECT_NE(before.find(series), std::string::npos) << series;
  }
  const double emfile =
      value_of(before, "proxywatch_local_errors_total{reason=\"emfile\"}").value_or(-1);
  count_local_error(LocalReason::kEmfile);
  EXPECT_EQ(value_of(m.serialize(), "proxywatch_local_errors_total{reason=\"emfile\"}"),
            emfile + 1);
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
  TrackerMetrics tracker(m);
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
