// What a running daemon exports per (proxy, target), counted on /metrics: the lean default set
// of a healthy target with a request through a proxy given by name stays within 40 series, and a
// reload to `metrics: {series: full, histograms: true}` brings the larger set with buckets that
// end at each phase's deadline (docs/metrics.md, "Series sets"). The proxy's name is resolved
// from a hosts file of the test's own, bind-mounted over /etc/hosts in the daemon's private mount
// namespace: c-ares reads files before DNS, so no resolver is asked. Needs root (unshare -m).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "tests/support/fake_proxy.h"
#include "tests/support/local_port.h"
#include "tests/support/process.h"
#include "tests/support/scrape.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_origin.h"
#include "tests/support/wait.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;

// The series of `text` labelled target="origin", by name and labels (values dropped).
std::set<std::string> series_of_origin(const std::string& text) {
  std::set<std::string> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("#") || line.find("target=\"origin\"") == std::string::npos) continue;
    out.insert(line.substr(0, line.rfind(' ')));
  }
  return out;
}

std::string listed(const std::set<std::string>& series) {
  std::string out;
  for (const std::string& s : series) out += s + "\n";
  return out;
}

class DaemonSeriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for unshare -m";
    origin_ = std::make_unique<testing::TlsOrigin>();
    proxy_ = std::make_unique<testing::FakeProxy>(testing::FakeProxy::Options{
        .behavior = testing::FakeProxy::Behavior::kRelay, .upstream_port = origin_->port()});
    port_ = testing::pick_free_port();
    dir_.write_file("hosts", "127.0.0.1 proxy.pwtest\n");
    dir_.write_file("iprep_proxy.conf", "iprep_proxy {\n  PROXY_HOST proxy.pwtest;\n  PROXY_PORT " +
                                            std::to_string(proxy_->port()) + ";\n}\n");
  }

  void write_yaml(const std::string& metrics) {
    dir_.write_file("proxywatch.yaml",
                    "proxy_file: " + (dir_.path() / "iprep_proxy.conf").string() +
                        "\nmetrics_listen: 127.0.0.1:" + std::to_string(port_) +
                        "\ninterval: 1s\njitter: 0s\nstate_dir: " + dir_.path().string() +
                        "\nmtu_probe: {enabled: false}\n" + metrics +
                        "targets:\n  - {name: origin, host: origin.test, port: " +
                        std::to_string(origin_->port()) + ", ca_file: " +
                        testing::shared_pki().ca.cert_file.string() + ", request: HEAD /}\n");
  }

  void start() {
    const std::string hosts = (dir_.path() / "hosts").string();
    daemon_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{"unshare", "--mount", "--propagation", "private", "sh", "-c",
                                 "mount --bind '" + hosts + "' /etc/hosts && exec '" +
                                     PROXYWATCH_BINARY "' daemon --config '" +
                                     (dir_.path() / "proxywatch.yaml").string() +
                                     "' --log-target stderr"},
        dir_.path() / "daemon.log");
  }

  // The first /metrics that counts `probes` ok probes of origin (at most 10 s on).
  std::string scrape_after_ok(double probes) {
    std::string text;
    testing::wait_until(
        [&] {
          text = testing::http_get(port_, "/metrics");
          auto ok = testing::metric(text, "proxywatch_probes_total",
                                    {"target=\"origin\"", "outcome=\"ok\""});
          return ok && *ok >= probes;
        },
        10s);
    return text;
  }

  testing::TempDir dir_{"pw-series"};
  std::unique_ptr<testing::TlsOrigin> origin_;
  std::unique_ptr<testing::FakeProxy> proxy_;
  std::uint16_t port_ = 0;
  std::unique_ptr<testing::ChildProcess> daemon_;
};

TEST_F(DaemonSeriesTest, LeanByDefaultAndTheFullSetWithHistogramsAfterAReload) {
  write_yaml("");
  start();
  std::string text = scrape_after_ok(2);
  const std::set<std::string> lean = series_of_origin(text);
  std::printf("lean: %zu series per target\n", lean.size());
  ASSERT_FALSE(lean.empty()) << daemon_->log();
  EXPECT_LE(lean.size(), 40u) << listed(lean);
  // Every phase was reached, the proxy's name included; the probe is healthy.
  for (const char* phase :
       {"dns", "tcp_connect", "proxy_connect", "tls_handshake", "http_first_byte", "transfer"}) {
    EXPECT_TRUE(testing::metric(text, "proxywatch_probe_phase_duration_seconds",
                                {"target=\"origin\"", std::string("phase=\"") + phase + "\""}))
        << phase << "\n"
        << listed(lean);
  }
  EXPECT_EQ(
      testing::metric(text, "proxywatch_health_state", {"target=\"origin\"", "state=\"healthy\""}),
      1)
      << listed(lean);
  EXPECT_EQ(text.find("proxywatch_probe_phase_latency_seconds_bucket{"), std::string::npos);
  EXPECT_EQ(text.find("proxywatch_stalls_total{"), std::string::npos);

  // The larger set, by a reload: the pair's series are replaced by the new set's.
  write_yaml("metrics: {series: full, histograms: true}\n");
  ASSERT_EQ(::kill(daemon_->pid(), SIGHUP), 0);
  std::string full_text;
  ASSERT_TRUE(testing::wait_until(
      [&] {
        full_text = testing::http_get(port_, "/metrics");
        return testing::metric(full_text, "proxywatch_probe_phase_latency_seconds_count",
                               {"target=\"origin\"", "phase=\"transfer\""})
            .has_value();
      },
      10s))
      << daemon_->log();
  const std::set<std::string> full = series_of_origin(full_text);
  std::printf("full with histograms: %zu series per target\n", full.size());
  EXPECT_GT(full.size(), lean.size() + 60) << listed(full);
  EXPECT_TRUE(testing::metric(full_text, "proxywatch_stalls_total",
                              {"target=\"origin\"", "phase=\"dns\""}));
  EXPECT_TRUE(testing::metric(full_text, "proxywatch_probes_total",
                              {"target=\"origin\"", "outcome=\"tls_reset\""}));
  // The dns phase's buckets end at its 5 s deadline.
  EXPECT_TRUE(testing::metric(full_text, "proxywatch_probe_phase_latency_seconds_bucket",
                              {"le=\"5\"", "phase=\"dns\"", "target=\"origin\""}))
      << listed(full);
  EXPECT_FALSE(testing::metric(full_text, "proxywatch_probe_phase_latency_seconds_bucket",
                               {"le=\"10\"", "phase=\"dns\"", "target=\"origin\""}));

  // As Prometheus scrapes it: gzipped (the route compresses as it writes), the same families.
  const std::string gz = (dir_.path() / "metrics.gz").string();
  testing::ProcessResult fetched =
      testing::run_process({"curl", "-sf", "-H", "Accept-Encoding: gzip", "-o", gz,
                            "http://127.0.0.1:" + std::to_string(port_) + "/metrics"});
  ASSERT_EQ(fetched.exit_code, 0) << fetched.err;
  testing::ProcessResult inflated = testing::run_process({"gzip", "-dc", gz});
  ASSERT_EQ(inflated.exit_code, 0) << inflated.err;
  EXPECT_EQ(series_of_origin(inflated.out).size(), full.size());
}

}  // namespace
}  // namespace proxywatch
