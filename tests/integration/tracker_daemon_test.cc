// `proxywatch daemon` as a process against scripted fake proxies: alternating tunnels and
// stalls raise proxy_overloaded (and nothing else), alternating tunnels and closes raise
// flapping, a 407 auth_misconfigured, a closed port proxy_unreachable, an unpinned issuer
// inspection_interference, the history survives a restart through the state file, a corrupt state
// file is set aside, and each target gets an MTU comparison right after its first probe. Everything
// listens on loopback; the target's name is resolved by nobody (the fake proxy relays every
// CONNECT to the local TLS origin).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <sstream>

#include "common/output/store/state_file.h"
#include "tests/support/fake_proxy.h"
#include "tests/support/local_port.h"
#include "tests/support/notify_socket.h"
#include "tests/support/process.h"
#include "tests/support/scrape.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_origin.h"
#include "tests/support/wait.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;
using Behavior = testing::FakeProxy::Behavior;
namespace fs = std::filesystem;

constexpr std::string_view kDiagnoses[] = {
    "mtu_suspected",      "acl_block",         "proxy_overloaded", "inspection_interference",
    "auth_misconfigured", "proxy_unreachable", "flapping"};

using testing::http_get;
using testing::metric;

class TrackerDaemonTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ca_file_ = testing::shared_pki().ca.cert_file.string();
    origin_ = std::make_unique<testing::TlsOrigin>();
  }
  static void TearDownTestSuite() { origin_.reset(); }

  void start_proxy(std::vector<Behavior> cycle) {
    start_proxy_with(
        testing::FakeProxy::Options{.upstream_port = origin_->port(), .cycle = std::move(cycle)});
  }
  void start_proxy_with(testing::FakeProxy::Options options) {
    proxy_ = std::make_unique<testing::FakeProxy>(std::move(options));
    dir_.write_file("iprep_proxy.conf", "iprep_proxy {\n  PROXY_HOST 127.0.0.1;\n  PROXY_PORT " +
                                            std::to_string(proxy_->port()) + ";\n}\n");
  }

  // Probes every 300 ms; a stalled CONNECT ends after 300 ms; a small window.
  void write_yaml(bool mtu = false, const std::string& target_extra = "",
                  const std::string& more_targets = "", const std::string& health_extra = "") {
    metrics_port_ = testing::pick_free_port();
    yaml_ = dir_.write_file(
        "proxywatch.yaml", "proxy_file: " + (dir_.path() / "iprep_proxy.conf").string() +
                               "\nmetrics_listen: 127.0.0.1:" + std::to_string(metrics_port_) +
                               "\ninterval: 300ms\njitter: 0s\nstate_dir: " + dir_.path().string() +
                               "\ntimeouts: {proxy_connect: 300ms, tls_handshake: 2s}\n"
                               "mtu_probe: {enabled: " +
                               (mtu ? "true" : "false") +
                               ", interval: 1h}\n"
                               "health: {" +
                               health_extra +
                               "window_probes: 10, min_samples: 5}\n"
                               "targets:\n  - {name: origin, host: origin.test, port: " +
                               std::to_string(origin_->port()) + ", ca_file: " + ca_file_ +
                               target_extra + "}\n" + more_targets);
  }

  // With `notify`, the daemon's sd_notify messages go to notify_, which the test must then
  // keep reading (a full datagram queue would block the daemon, as systemd never lets it).
  void start_daemon(const std::string& log_name = "daemon.log", bool notify = false) {
    testing::EnvAdditions env;
    if (notify) env["NOTIFY_SOCKET"] = notify_.path().string();
    daemon_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{PROXYWATCH_BINARY, "daemon", "--config", yaml_.string(),
                                 "--log-target", "stderr"},
        dir_.path() / log_name, env);
    ASSERT_TRUE(testing::wait_until([&] { return !scrape().empty(); }, 10s)) << daemon_->log();
  }

  std::string scrape() { return http_get(metrics_port_, "/metrics"); }

  std::optional<double> diagnosis(const std::string& text, std::string_view name) {
    return metric(text, "proxywatch_diagnosis", {"diagnosis=\"" + std::string(name) + "\""});
  }

  // Waits until `name` is raised, then checks that it is the only active diagnosis.
  void expect_exactly(std::string_view name) {
    ASSERT_TRUE(testing::wait_until([&] { return diagnosis(scrape(), name) == 1; }, 15s))
        << scrape() << daemon_->log();
    std::string text = scrape();
    for (std::string_view other : kDiagnoses) {
      if (other == name) continue;
      EXPECT_FALSE(diagnosis(text, other).has_value()) << other << "\n" << text;
    }
  }

  static inline std::unique_ptr<testing::TlsOrigin> origin_;
  static inline std::string ca_file_;

  testing::TempDir dir_{"pw-tracker"};
  testing::NotifySocket notify_{dir_.path() / "notify.sock"};
  std::unique_ptr<testing::FakeProxy> proxy_;
  fs::path yaml_;
  std::uint16_t metrics_port_ = 0;
  std::unique_ptr<testing::ChildProcess> daemon_;
};

TEST_F(TrackerDaemonTest, AlternatingTunnelsAndStallsRaiseProxyOverloadedOnly) {
  start_proxy({Behavior::kRelay, Behavior::kNeverAnswer});
  write_yaml();
  start_daemon();
  expect_exactly("proxy_overloaded");
  EXPECT_NE(daemon_->log().find("proxy_overloaded raised"), std::string::npos) << daemon_->log();
  EXPECT_NE(daemon_->log().find("PHASE_COUNTS=\"proxy_connect="), std::string::npos);
  EXPECT_GT(metric(scrape(), "proxywatch_window_stall_ratio", {"target=\"origin\""}).value_or(0),
            0.2);
}

// One verdict: STATUS= and the journal's health events follow the tracker, which stays healthy
// through a single failed probe, not the outcome of the last probe.
TEST_F(TrackerDaemonTest, StatusSaysHealthyWhileOneProbeOfThreeFailed) {
  start_proxy({Behavior::kRelay, Behavior::kCloseBeforeAnswer, Behavior::kRelay});
  write_yaml(false, "", "", "degraded_percent: 50, ");
  start_daemon("daemon.log", true);
  auto probes = [&](std::string_view outcome) {
    return metric(scrape(), "proxywatch_probes_total",
                  {"target=\"origin\"", "outcome=\"" + std::string(outcome) + "\""})
        .value_or(0);
  };
  // Three probes: ok, proxy_closed, ok.
  ASSERT_TRUE(
      testing::wait_until([&] { return probes("ok") >= 2 && probes("proxy_closed") >= 1; }, 10s))
      << scrape() << daemon_->log();
  ASSERT_TRUE(notify_.wait_for("1 target: 1 healthy", 2s)) << daemon_->log();
  // Read on until the status after the failed probe has arrived too.
  ASSERT_TRUE(testing::wait_until(
      [&] {
        notify_.read_for(50ms);
        return probes("ok") >= 3;
      },
      10s));
  // Every status line from the first probe on says healthy; none says failing.
  std::size_t healthy_lines = 0;
  for (const std::string& m : notify_.messages()) {
    if (m.find("STATUS=") == std::string::npos) continue;
    EXPECT_EQ(m.find("failing"), std::string::npos) << m;
    healthy_lines += m.find("1 target: 1 healthy") != std::string::npos ? 1 : 0;
  }
  EXPECT_GE(healthy_lines, 2u) << "one after each passing probe at least";
  EXPECT_EQ(metric(scrape(), "proxywatch_health_state", {"target=\"origin\"", "state=\"healthy\""}),
            1);
  // The journal's state changes: unknown -> healthy once; the failed probe is an outcome event.
  std::string log = daemon_->log();
  EXPECT_NE(log.find("health unknown -> healthy"), std::string::npos) << log;
  EXPECT_EQ(log.find("-> failing"), std::string::npos) << log;
  EXPECT_EQ(log.find("-> degraded"), std::string::npos) << log;
  EXPECT_NE(log.find("probe outcome ok -> proxy_closed"), std::string::npos) << log;
}

TEST_F(TrackerDaemonTest, AlternatingTunnelsAndClosesRaiseFlappingOnly) {
  start_proxy({Behavior::kRelay, Behavior::kCloseBeforeAnswer});
  write_yaml();
  start_daemon();
  expect_exactly("flapping");
  EXPECT_TRUE(testing::wait_until(
      [&] {
        return metric(scrape(), "proxywatch_health_state",
                      {"target=\"origin\"", "state=\"degraded\""}) == 1;
      },
      5s))
      << scrape();
}

TEST_F(TrackerDaemonTest, RestartKeepsHistoryAndActiveDiagnoses) {
  start_proxy_with(testing::FakeProxy::Options{.behavior = Behavior::kStatus,
                                               .status_line = "HTTP/1.1 403 Forbidden"});
  write_yaml();
  start_daemon("first.log");
  expect_exactly("acl_block");
  ASSERT_TRUE(testing::wait_until(
      [&] {
        return metric(scrape(), "proxywatch_window_probes", {"target=\"origin\""}).value_or(0) >= 8;
      },
      15s))
      << scrape();
  ASSERT_EQ(metric(scrape(), "proxywatch_health_state", {"state=\"failing\""}), 1);
  daemon_->terminate();
  ASSERT_TRUE(fs::exists(dir_.path() / "state.json"));
  std::string state = dir_.read_file("state.json");
  EXPECT_NE(state.find("\"version\":" + std::to_string(kStateFileVersion)), std::string::npos);

  start_daemon("second.log");
  std::string text = scrape();
  // Counters start at zero after a restart; the window does not.
  double window = metric(text, "proxywatch_window_probes", {"target=\"origin\""}).value_or(0);
  double probed = metric(text, "proxywatch_probes_total", {"outcome=\"proxy_denied\""}).value_or(0);
  EXPECT_GE(window, 8) << text;
  EXPECT_GT(window, probed) << text;
  EXPECT_EQ(metric(text, "proxywatch_health_state", {"state=\"failing\""}), 1) << text;
  EXPECT_EQ(diagnosis(text, "acl_block"), 1) << text;
  EXPECT_NE(daemon_->log().find("history of 1 target(s) restored"), std::string::npos)
      << daemon_->log();
  // Still failing and still blocked: no new transition or raise after the restart.
  ASSERT_TRUE(testing::wait_until(
      [&] {
        return metric(scrape(), "proxywatch_probes_total", {"outcome=\"proxy_denied\""})
                   .value_or(0) >= 3;
      },
      10s));
  EXPECT_EQ(daemon_->log().find("HEALTH=failing"), std::string::npos) << daemon_->log();
  EXPECT_EQ(daemon_->log().find("acl_block raised"), std::string::npos) << daemon_->log();
}

TEST_F(TrackerDaemonTest, KillNineLeavesAStateFileThatLoads) {
  start_proxy({Behavior::kRelay});
  write_yaml();
  start_daemon("first.log");
  ASSERT_TRUE(testing::wait_until([&] { return fs::exists(dir_.path() / "state.json"); }, 10s));
  kill(daemon_->pid(), SIGKILL);
  ASSERT_TRUE(testing::wait_until([&] { return !daemon_->running(); }, 5s));
  start_daemon("second.log");
  EXPECT_NE(daemon_->log().find("history of 1 target(s) restored"), std::string::npos)
      << daemon_->log();
  EXPECT_EQ(daemon_->log().find("not loaded"), std::string::npos) << daemon_->log();
}

TEST_F(TrackerDaemonTest, UserSignalsAndSigpipeNeitherStopItNorLoseTheHistory) {
  start_proxy({Behavior::kRelay});
  write_yaml();
  start_daemon();
  ASSERT_TRUE(testing::wait_until(
      [&] { return metric(scrape(), "proxywatch_probes_total", {"outcome=\"ok\""}) >= 1; }, 10s))
      << daemon_->log();
  // A signal sent is delivered before the daemon next runs: by the time it logs (or answers a
  // scrape), SIGPIPE's default action would have ended it.
  ASSERT_EQ(kill(daemon_->pid(), SIGPIPE), 0);
  ASSERT_EQ(kill(daemon_->pid(), SIGUSR1), 0);
  ASSERT_EQ(kill(daemon_->pid(), SIGUSR2), 0);
  EXPECT_TRUE(testing::wait_until(
      [&] {
        std::string log = daemon_->log();
        return log.find("SIGUSR1 ignored") != std::string::npos &&
               log.find("SIGUSR2 ignored") != std::string::npos;
      },
      5s))
      << daemon_->log();
  EXPECT_FALSE(scrape().empty());
  ASSERT_TRUE(daemon_->running()) << daemon_->log();
  // SIGTERM still stops it cleanly, with the history saved.
  daemon_->terminate();
  ASSERT_TRUE(daemon_->wait_status());
  EXPECT_TRUE(WIFEXITED(*daemon_->wait_status()) && WEXITSTATUS(*daemon_->wait_status()) == 0)
      << *daemon_->wait_status();
  EXPECT_NE(dir_.read_file("state.json").find("\"target\":\"origin\""), std::string::npos);
}

TEST_F(TrackerDaemonTest, CorruptStateFileIsSetAsideAndReplaced) {
  start_proxy({Behavior::kRelay});
  write_yaml();
  dir_.write_file("state.json", "{\"format\":\"proxywatch-state\",\"vers");
  start_daemon();
  EXPECT_TRUE(testing::wait_until(
      [&] { return daemon_->log().find("not loaded") != std::string::npos; }, 5s))
      << daemon_->log();
  bool aside = false;
  for (const auto& entry : fs::directory_iterator(dir_.path())) {
    aside = aside || entry.path().filename().string().starts_with("state.json.corrupt-");
  }
  EXPECT_TRUE(aside);
  // A good state file replaces it within the save interval.
  EXPECT_TRUE(testing::wait_until(
      [&] {
        return fs::exists(dir_.path() / "state.json") &&
               dir_.read_file("state.json").find("\"target\":\"origin\"") != std::string::npos;
      },
      10s));
}

TEST_F(TrackerDaemonTest, IssuerOtherThanThePinRaisesInspectionInterferenceOnly) {
  start_proxy({Behavior::kRelay});
  write_yaml(false, ", expect_issuer: \"CN=Cisco Root\"");
  start_daemon();
  expect_exactly("inspection_interference");
  std::string log = daemon_->log();
  EXPECT_NE(log.find("CERT_ISSUER=\"CN=proxywatch test CA"), std::string::npos) << log;
  EXPECT_NE(log.find("CERT_SUBJECT="), std::string::npos) << log;
  EXPECT_NE(log.find("EXPECTED_ISSUER=\"CN=Cisco Root\""), std::string::npos) << log;
  // The probes themselves pass: interception is not a failure of the tunnel.
  EXPECT_EQ(metric(scrape(), "proxywatch_health_state", {"state=\"healthy\""}), 1) << scrape();
}

TEST_F(TrackerDaemonTest, ProxyAskingForCredentialsRaisesAuthMisconfiguredOnly) {
  start_proxy_with(
      testing::FakeProxy::Options{.behavior = Behavior::kStatus,
                                  .status_line = "HTTP/1.1 407 Proxy Authentication Required",
                                  .extra_headers = {"Proxy-Authenticate: Basic realm=\"corp\""}});
  write_yaml();
  start_daemon();
  expect_exactly("auth_misconfigured");
  EXPECT_NE(daemon_->log().find("OUTCOME_COUNTS=\"proxy_auth_required="), std::string::npos)
      << daemon_->log();
}

TEST_F(TrackerDaemonTest, NothingListeningRaisesProxyUnreachableOnly) {
  start_proxy({Behavior::kRelay});
  // The proxy file names a port nobody listens on.
  dir_.write_file("iprep_proxy.conf", "iprep_proxy {\n  PROXY_HOST 127.0.0.1;\n  PROXY_PORT " +
                                          std::to_string(testing::pick_free_port()) + ";\n}\n");
  write_yaml();
  start_daemon();
  expect_exactly("proxy_unreachable");
  EXPECT_EQ(metric(scrape(), "proxywatch_health_state", {"state=\"failing\""}), 1);
}

TEST_F(TrackerDaemonTest, MtuComparisonFollowsTheFirstProbe) {
  start_proxy({Behavior::kRelay});
  write_yaml(/*mtu=*/true, "",
             "  - {name: denied, host: blocked.test, port: " + std::to_string(origin_->port()) +
                 ", expect: denied}\n");
  start_daemon();
  EXPECT_TRUE(testing::wait_until(
      [&] { return metric(scrape(), "proxywatch_mtu_verdict_info", {"target=\"origin\""}) == 1; },
      10s))
      << scrape() << daemon_->log();
  // The normal probe, then the comparison's three (normal, clamped, padded).
  std::size_t origin_connects = 0;
  for (const std::string& head : proxy_->requests()) {
    origin_connects += head.starts_with("CONNECT origin.test:") ? 1 : 0;
  }
  EXPECT_GE(origin_connects, 4u);
  // A negative probe gets no comparison (its first probe has run by now: it started at once).
  ASSERT_TRUE(testing::wait_until(
      [&] { return metric(scrape(), "proxywatch_window_probes", {"target=\"denied\""}) >= 2; },
      5s));
  EXPECT_FALSE(metric(scrape(), "proxywatch_mtu_verdict_info", {"target=\"denied\""}).has_value())
      << scrape();
}

}  // namespace
}  // namespace proxywatch
