// `proxywatch daemon` as a process against real squid: /metrics over HTTP, the proxy file
// replaced by atomic rename, broken, deleted and recreated, SIGHUP with a bad YAML, SIGTERM,
// the sd_notify messages on a NOTIFY_SOCKET the test listens on, and a negative probe.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <thread>

#include "tests/support/local_port.h"
#include "tests/support/notify_socket.h"
#include "tests/support/process.h"
#include "tests/support/scrape.h"
#include "tests/support/squid.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_origin.h"
#include "tests/support/wait.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;

using testing::http_get;
using testing::metric;

class DaemonTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ca_file_ = testing::shared_pki().ca.cert_file.string();
    origin_ = std::make_unique<testing::TlsOrigin>();
    testing::Squid::Options options{
        .hosts = {{"origin.test", "127.0.0.1"}, {"blocked.test", "127.0.0.1"}},
        .denied_domains = {"blocked.test"}};
    squid_a_ = std::make_unique<testing::Squid>(options);
  }
  // The second proxy, started on first use: ctest runs each test in a process of its own, and
  // only the tests that switch proxies need it.
  static testing::Squid& squid_b() {
    if (!squid_b_) {
      squid_b_ = std::make_unique<testing::Squid>(testing::Squid::Options{
          .hosts = {{"origin.test", "127.0.0.1"}, {"blocked.test", "127.0.0.1"}},
          .denied_domains = {"blocked.test"}});
    }
    return *squid_b_;
  }
  static void TearDownTestSuite() {
    squid_a_.reset();
    squid_b_.reset();
    origin_.reset();
  }

  void SetUp() override {
    metrics_port_ = testing::pick_free_port();
    write_proxy_file(squid_a_->port());
    yaml_ = dir_.write_file("proxywatch.yaml", yaml_text(metrics_port_));
  }

  std::string yaml_text(std::uint16_t metrics_port) const {
    std::string port = std::to_string(origin_->port());
    return "proxy_file: " + (dir_.path() / "iprep_proxy.conf").string() +
           "\nmetrics_listen: 127.0.0.1:" + std::to_string(metrics_port) +
           "\ninterval: 1s\njitter: 0s\nstate_dir: " + dir_.path().string() +
           "\ntimeouts: {proxy_connect: 2s, tls_handshake: 2s}\n"
           "targets:\n"
           "  - {name: origin, host: origin.test, port: " +
           port + ", ca_file: " + ca_file_ +
           ", request: HEAD /}\n"
           "  - {name: acl, host: blocked.test, port: " +
           port + ", expect: denied}\n";
  }

  // Writes the FMC file the way editors do: a temporary file renamed over the old one.
  void write_proxy_file(std::uint16_t port, const std::string& text = "") {
    std::string body = text.empty() ? "iprep_proxy {\n  PROXY_HOST 127.0.0.1;\n  PROXY_PORT " +
                                          std::to_string(port) + ";\n}\n"
                                    : text;
    dir_.write_file("iprep_proxy.conf.tmp", body);
    std::filesystem::rename(dir_.path() / "iprep_proxy.conf.tmp", dir_.path() / "iprep_proxy.conf");
  }

  void start_daemon() {
    daemon_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{PROXYWATCH_BINARY, "daemon", "--config", yaml_.string(),
                                 "--log-target", "stderr"},
        dir_.path() / "daemon.log",
        testing::EnvAdditions{{"NOTIFY_SOCKET", notify_.path().string()}});
    ASSERT_TRUE(notify_.wait_for("READY=1", 10s)) << daemon_->log();
  }

  std::string scrape() { return http_get(metrics_port_, "/metrics"); }

  // Waits until `name{labels}` equals `value` on /metrics.
  bool wait_metric(const std::string& name, const std::vector<std::string>& labels, double value,
                   std::chrono::milliseconds deadline = 10s) {
    return testing::wait_until([&] { return metric(scrape(), name, labels) == value; }, deadline,
                               50ms);
  }

  std::string proxy_label(std::uint16_t port) {
    return "proxy=\"127.0.0.1:" + std::to_string(port) + "\"";
  }

  static inline std::unique_ptr<testing::TlsOrigin> origin_;
  static inline std::unique_ptr<testing::Squid> squid_a_;
  static inline std::unique_ptr<testing::Squid> squid_b_;
  static inline std::string ca_file_;

  testing::TempDir dir_{"pw-daemon"};
  testing::NotifySocket notify_{dir_.path() / "notify.sock"};
  std::filesystem::path yaml_;
  std::uint16_t metrics_port_ = 0;
  std::unique_ptr<testing::ChildProcess> daemon_;
};

TEST_F(DaemonTest, ProbesThroughSquidAndServesMetrics) {
  start_daemon();
  auto a = proxy_label(squid_a_->port());
  EXPECT_TRUE(wait_metric("proxywatch_probe_success", {a, "target=\"origin\""}, 1))
      << scrape() << daemon_->log();
  EXPECT_TRUE(wait_metric("proxywatch_probe_success", {a, "target=\"acl\""}, 1)) << scrape();
  std::string text = scrape();
  EXPECT_EQ(metric(text, "proxywatch_probe_connect_status_code", {"target=\"origin\""}), 200);
  EXPECT_EQ(metric(text, "proxywatch_probe_http_status_code", {"target=\"origin\""}), 302);
  EXPECT_EQ(metric(text, "proxywatch_probe_connect_status_code", {"target=\"acl\""}), 403);
  EXPECT_EQ(metric(text, "proxywatch_proxy_configured"), 1);
  EXPECT_EQ(metric(text, "proxywatch_config_valid", {"file=\"proxy\""}), 1);
  EXPECT_GE(
      metric(text, "proxywatch_probes_total", {"target=\"origin\"", "outcome=\"ok\""}).value_or(0),
      1);
  EXPECT_TRUE(metric(text, "proxywatch_build_info").has_value());
  EXPECT_TRUE(notify_.wait_for("STATUS=proxy 127.0.0.1:", 1s));
}

TEST_F(DaemonTest, ProxyFileRenamedOverPointsAtSecondSquidWithinASecond) {
  start_daemon();
  ASSERT_TRUE(wait_metric("proxywatch_proxy_info", {proxy_label(squid_a_->port())}, 1));
  write_proxy_file(squid_b().port());
  EXPECT_TRUE(wait_metric("proxywatch_proxy_info", {proxy_label(squid_b().port())}, 1, 1s))
      << scrape();
  EXPECT_TRUE(wait_metric("proxywatch_probe_success",
                          {proxy_label(squid_b().port()), "target=\"origin\""}, 1))
      << scrape();
  // The old proxy's series are gone.
  EXPECT_EQ(scrape().find(proxy_label(squid_a_->port())), std::string::npos);
}

TEST_F(DaemonTest, RewritingTheSameProxyFileDoesNotRestartTheProbes) {
  start_daemon();
  auto a = proxy_label(squid_a_->port());
  ASSERT_TRUE(wait_metric("proxywatch_probe_success", {a, "target=\"origin\""}, 1)) << scrape();
  auto probes = [&] {
    return metric(scrape(), "proxywatch_probes_total", {"target=\"origin\"", "outcome=\"ok\""});
  };
  std::optional<double> before = probes();
  ASSERT_TRUE(before);
  auto started = std::chrono::steady_clock::now();
  // 20 identical rewrites, 150 ms apart (the stimulus, not a wait): each used to restart every
  // loop and probe at once, 13 times the rate of `interval: 1s`.
  for (int i = 0; i < 20; ++i) {
    write_proxy_file(squid_a_->port());
    std::this_thread::sleep_for(150ms);
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::optional<double> after = probes();
  ASSERT_TRUE(after) << "no answer on /metrics\n" << daemon_->log();
  EXPECT_LE(*after - *before, seconds + 2) << "probes in " << seconds << " s\n" << daemon_->log();
}

TEST_F(DaemonTest, BrokenProxyFileKeepsOldProxyAndShowsConfigInvalid) {
  start_daemon();
  ASSERT_TRUE(wait_metric("proxywatch_proxy_info", {proxy_label(squid_a_->port())}, 1));
  write_proxy_file(0, "iprep_proxy {\n  PROXY_HOST 127.0.0.1\n  PROXY_PORT 99999;\n}\n");
  EXPECT_TRUE(wait_metric("proxywatch_config_valid", {"file=\"proxy\""}, 0)) << scrape();
  std::string text = scrape();
  EXPECT_EQ(metric(text, "proxywatch_proxy_info", {proxy_label(squid_a_->port())}), 1);
  EXPECT_TRUE(testing::wait_until(
      [&] {
        return daemon_->log().find("iprep_proxy.conf:2:23: missing ';'") != std::string::npos;
      },
      5s))
      << daemon_->log();
  write_proxy_file(squid_a_->port());
  EXPECT_TRUE(wait_metric("proxywatch_config_valid", {"file=\"proxy\""}, 1))
      << scrape() << daemon_->log();
}

TEST_F(DaemonTest, DeletedProxyFileDisablesAndRecreatedEnables) {
  start_daemon();
  ASSERT_TRUE(wait_metric("proxywatch_proxy_configured", {}, 1));
  std::filesystem::remove(dir_.path() / "iprep_proxy.conf");
  EXPECT_TRUE(wait_metric("proxywatch_proxy_configured", {}, 0)) << scrape();
  EXPECT_TRUE(notify_.wait_for("proxy disabled", 5s));
  write_proxy_file(squid_b().port());
  EXPECT_TRUE(wait_metric("proxywatch_proxy_configured", {}, 1));
  EXPECT_TRUE(wait_metric("proxywatch_probe_success",
                          {proxy_label(squid_b().port()), "target=\"origin\""}, 1));
  EXPECT_TRUE(daemon_->running());
}

// The proxy metrics exist from the first scrape, whatever the proxy file's state: an appliance
// that boots without a proxy file is seen as "no proxy", so ProxywatchProxyDisabled can fire.
TEST_F(DaemonTest, StartsWithoutProxyFileAndExportsProxyConfiguredZeroAtOnce) {
  std::filesystem::remove(dir_.path() / "iprep_proxy.conf");
  start_daemon();
  std::string text = scrape();  // the first scrape after READY=1, no waiting
  EXPECT_EQ(metric(text, "proxywatch_proxy_configured"), 0) << text << daemon_->log();
  EXPECT_EQ(metric(text, "proxywatch_proxy_info", {"proxy=\"none\""}), 1) << text;
  EXPECT_EQ(metric(text, "proxywatch_config_valid", {"file=\"proxy\""}), 1) << text;
  EXPECT_TRUE(notify_.wait_for("STATUS=proxy disabled", 1s));
  write_proxy_file(squid_a_->port());
  EXPECT_TRUE(wait_metric("proxywatch_proxy_configured", {}, 1)) << scrape();
  EXPECT_EQ(metric(scrape(), "proxywatch_proxy_info", {"proxy=\"none\""}), std::nullopt);
}

// A proxy file whose directory does not exist at start cannot be watched: SIGHUP reads the file
// once it exists and sets the watch, which then sees the next change by itself.
TEST_F(DaemonTest, SighupReadsAProxyFileWhoseDirectoryAppearedAndWatchesItFromThen) {
  const auto fmc = dir_.path() / "sf";
  std::string text = yaml_text(metrics_port_);
  text = "proxy_file: " + (fmc / "iprep_proxy.conf").string() + text.substr(text.find('\n'));
  yaml_ = dir_.write_file("proxywatch.yaml", text);
  start_daemon();
  EXPECT_TRUE(notify_.wait_for("STATUS=proxy disabled", 1s));
  EXPECT_NE(daemon_->log().find("changes are picked up on SIGHUP only"), std::string::npos);
  std::filesystem::create_directory(fmc);
  const std::string body = "iprep_proxy {\n  PROXY_HOST 127.0.0.1;\n  PROXY_PORT ";
  dir_.write_file("sf/iprep_proxy.conf", body + std::to_string(squid_a_->port()) + ";\n}\n");
  kill(daemon_->pid(), SIGHUP);
  EXPECT_TRUE(wait_metric("proxywatch_probe_success",
                          {proxy_label(squid_a_->port()), "target=\"origin\""}, 1))
      << scrape() << daemon_->log();
  // No SIGHUP from here: the watch set by the reload sees the rename.
  dir_.write_file("sf/new.conf", body + std::to_string(squid_b().port()) + ";\n}\n");
  std::filesystem::rename(fmc / "new.conf", fmc / "iprep_proxy.conf");
  EXPECT_TRUE(wait_metric("proxywatch_probe_success",
                          {proxy_label(squid_b().port()), "target=\"origin\""}, 1))
      << scrape() << daemon_->log();
}

TEST_F(DaemonTest, ProxyFileValidAgainIsLogged) {
  start_daemon();
  ASSERT_TRUE(wait_metric("proxywatch_probe_success", {"target=\"origin\""}, 1));
  write_proxy_file(0, "iprep_proxy {\n  PROXY_HOST;\n}\n");
  ASSERT_TRUE(wait_metric("proxywatch_config_valid", {"file=\"proxy\""}, 0)) << scrape();
  write_proxy_file(squid_a_->port());
  ASSERT_TRUE(wait_metric("proxywatch_config_valid", {"file=\"proxy\""}, 1)) << scrape();
  EXPECT_TRUE(testing::wait_until(
      [&] {
        return daemon_->log().find("is valid again: proxy 127.0.0.1:" +
                                   std::to_string(squid_a_->port())) != std::string::npos;
      },
      5s))
      << daemon_->log();
}

TEST_F(DaemonTest, SighupWithBadYamlKeepsRunningOnTheOldConfig) {
  start_daemon();
  ASSERT_TRUE(wait_metric("proxywatch_probe_success", {"target=\"origin\""}, 1));
  notify_.clear();
  dir_.write_file("proxywatch.yaml", "interval: soon\n");
  kill(daemon_->pid(), SIGHUP);
  EXPECT_TRUE(notify_.wait_for("RELOADING=1", 5s));
  EXPECT_TRUE(notify_.wait_for("READY=1", 5s));
  EXPECT_TRUE(wait_metric("proxywatch_config_valid", {"file=\"yaml\""}, 0)) << scrape();
  EXPECT_GE(
      metric(scrape(), "proxywatch_config_reloads_total", {"file=\"yaml\"", "result=\"rejected\""})
          .value_or(0),
      1);
  EXPECT_TRUE(daemon_->running());
  // A good YAML applied by the next SIGHUP.
  dir_.write_file("proxywatch.yaml", yaml_text(metrics_port_));
  kill(daemon_->pid(), SIGHUP);
  EXPECT_TRUE(wait_metric("proxywatch_config_valid", {"file=\"yaml\""}, 1)) << scrape();
}

TEST_F(DaemonTest, SigtermStopsPromptlyWithExitZero) {
  start_daemon();
  ASSERT_TRUE(wait_metric("proxywatch_probe_success", {"target=\"origin\""}, 1));
  auto start = std::chrono::steady_clock::now();
  kill(daemon_->pid(), SIGTERM);
  ASSERT_TRUE(testing::wait_until([&] { return !daemon_->running(); }, 5s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  ASSERT_TRUE(daemon_->wait_status().has_value());
  EXPECT_TRUE(WIFEXITED(*daemon_->wait_status()));
  EXPECT_EQ(WEXITSTATUS(*daemon_->wait_status()), 0);
  EXPECT_TRUE(notify_.wait_for("STOPPING=1", 1s));
}

TEST_F(DaemonTest, NegativeProbeFailsWhenAclStopsBeingEnforced) {
  // The "acl" target names origin.test here: the proxy lets it through.
  std::string text = yaml_text(metrics_port_);
  text.replace(text.find("host: blocked.test"), 18, "host: origin.test");
  yaml_ = dir_.write_file("proxywatch.yaml", text);
  start_daemon();
  EXPECT_TRUE(testing::wait_until(
      [&] {
        return metric(scrape(), "proxywatch_probes_total",
                      {"target=\"acl\"", "outcome=\"tunnel_not_denied\""})
                   .value_or(0) >= 1;
      },
      10s))
      << scrape();
  EXPECT_EQ(metric(scrape(), "proxywatch_probe_success", {"target=\"acl\""}), 0);
}

TEST_F(DaemonTest, SecondDaemonOnTheSameStateDirectoryExitsNamingTheFirst) {
  start_daemon();
  // The same state_dir, another metrics port: only the lock tells them apart.
  auto other = dir_.write_file("other.yaml", yaml_text(testing::pick_free_port()));
  auto second = testing::run_process(
      {PROXYWATCH_BINARY, "daemon", "--config", other.string(), "--log-target", "stderr"}, {},
      std::chrono::seconds(10));
  ASSERT_TRUE(second.exit_code.has_value()) << "the second daemon kept running";
  EXPECT_NE(*second.exit_code, 0);
  EXPECT_NE(second.err.find("another proxywatch daemon (PID " + std::to_string(daemon_->pid()) +
                            ") uses the state directory " + dir_.path().string()),
            std::string::npos)
      << second.err;
  // The first one goes on probing.
  EXPECT_TRUE(wait_metric("proxywatch_probe_success", {"target=\"origin\""}, 1)) << scrape();
}

}  // namespace
}  // namespace proxywatch
