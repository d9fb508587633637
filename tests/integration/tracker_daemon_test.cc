// `proxywatch daemon` as a process against scripted fake proxies: alternating tunnels and
// stalls raise proxy_overloaded (and nothing else), alternating tunnels and closes raise
// flapping, a 407 auth_misconfigured, a closed port proxy_unreachable, an unpinned issuer
// inspection_interference, and each target gets an MTU comparison right after its first probe.
// How the history survives restarts is history_daemon_test.cc. Everything
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

#include "common/output/store/probe_store.h"
#include "tests/integration/tracker_daemon_fixture.h"
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

using testing::http_get;
using testing::kDiagnoses;
using testing::metric;

using TrackerDaemonTest = testing::TrackerDaemonFixture;

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
  auto store = ProbeStore::open_read_only((dir_.path() / kProbeStoreFileName).string());
  ASSERT_TRUE(store) << store.error().to_string();
  auto states = (*store)->pair_states(HealthSettings{}, std::chrono::system_clock::now());
  ASSERT_TRUE(states && states->size() == 1) << daemon_->log();
  EXPECT_EQ(states->front().target, "origin");
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
