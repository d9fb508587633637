// `proxywatch daemon` against real packet loss, end to end: the daemon runs in the client
// namespace of an MtuNetwork, probing the TLS origin through squid in the server namespace, and
// iptables drops (the guide's MTU blackhole) or resets packets of 1000 bytes and more in one
// direction. The MTU comparison that follows the first probe must give the direction's verdict
// and the tracker must raise mtu_suspected — alone, on /metrics and as a "raised" event on
// stderr naming the direction. A healthy link raises nothing and its verdict is none. The
// interval is an hour: only the first probe and the first comparison ever run.
#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/local_port.h"
#include "tests/support/mtu_network.h"
#include "tests/support/mtu_network_test.h"
#include "tests/support/process.h"
#include "tests/support/scrape.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;
using testing::VethNamespaces;

// Every `proxywatch_diagnosis{...} VALUE` line of a scrape: the active diagnoses, whatever
// their names.
std::vector<std::string> diagnosis_series(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("proxywatch_diagnosis{")) out.push_back(line);
  }
  return out;
}

const std::vector<std::string> kDrop = {"-j", "DROP"};
const std::vector<std::string> kReset = {"-j", "REJECT", "--reject-with", "tcp-reset"};

// Each test starts a daemon of its own with a fresh state directory.
class MtuDaemonNetnsTest : public testing::MtuNetworkTest {
 protected:
  void TearDown() override {
    // The daemon first: its connections must not meet the next test's rules.
    daemon_.reset();
    MtuNetworkTest::TearDown();
  }

  // Writes the proxy file and the YAML (2 s per phase, one probe an hour), then starts the
  // daemon inside the client namespace and waits for its metrics endpoint there.
  void start_daemon() {
    dir_.write_file("iprep_proxy.conf",
                    "iprep_proxy {\n  PROXY_HOST " + std::string(VethNamespaces::kServerAddress) +
                        ";\n  PROXY_PORT " + std::to_string(network_->proxy_port()) + ";\n}\n");
    // Any port: nothing else listens in the client namespace.
    metrics_port_ = testing::pick_free_port();
    auto yaml = dir_.write_file(
        "proxywatch.yaml",
        "proxy_file: " + (dir_.path() / "iprep_proxy.conf").string() +
            "\nmetrics_listen: 127.0.0.1:" + std::to_string(metrics_port_) +
            "\ninterval: 1h\njitter: 0s\nstate_dir: " + dir_.path().string() +
            "\ntimeouts: {tcp_connect: 2s, proxy_connect: 2s, tls_handshake: 2s}\n"
            "mtu_probe: {enabled: true, interval: 1h}\n"
            // The comparison waits until a failed first probe's verdict is settled: short
            // confirmations keep that within the test's deadline (5 s and 10 s took it past).
            "confirm: {delays: [200ms, 400ms]}\n"
            "targets:\n  - {name: origin, host: origin.test, port: " +
            std::to_string(network_->origin_port()) + ", ca_file: " + network_->ca_file() + "}\n");
    daemon_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{"ip", "netns", "exec", client(), PROXYWATCH_BINARY, "daemon",
                                 "--config", yaml.string(), "--log-target", "stderr"},
        dir_.path() / "daemon.log");
    ASSERT_TRUE(testing::wait_until([&] { return !scrape().empty(); }, 10s, 100ms))
        << daemon_->log();
  }

  // /metrics as seen from inside the client namespace, whose loopback is not the test's.
  std::string scrape() const {
    std::string text;
    VethNamespaces::run_inside(client(),
                               [&] { text = testing::http_get(metrics_port_, "/metrics"); });
    return text;
  }

  static std::optional<double> verdict(const std::string& text, std::string_view name) {
    return testing::metric(text, "proxywatch_mtu_verdict_info",
                           {"target=\"origin\"", "verdict=\"" + std::string(name) + "\""});
  }

  // Waits for the first comparison's verdict `expected` (and, unless it is "none", for
  // mtu_suspected), then checks that the active diagnoses are exactly mtu_suspected, or none.
  void expect_verdict(std::string_view expected) {
    bool suspected = expected == "inbound" || expected == "outbound";
    auto reached = [&] {
      std::string text = scrape();
      if (verdict(text, expected) != 1) return false;
      return !suspected ||
             testing::metric(text, "proxywatch_diagnosis", {"diagnosis=\"mtu_suspected\""}) == 1;
    };
    ASSERT_TRUE(testing::wait_until(reached, 25s, 100ms)) << scrape() << daemon_->log();
    std::string text = scrape();
    std::vector<std::string> series = diagnosis_series(text);
    if (suspected) {
      ASSERT_EQ(series.size(), 1u) << text;
      EXPECT_NE(series[0].find("diagnosis=\"mtu_suspected\""), std::string::npos) << text;
    } else {
      EXPECT_TRUE(series.empty()) << text;
    }
  }

  // The stderr line of the raise names the diagnosis and the direction.
  void expect_raised_event(std::string_view direction) {
    std::string log = daemon_->log();
    auto at = log.find("mtu_suspected raised");
    ASSERT_NE(at, std::string::npos) << log;
    std::string line = log.substr(at, log.find('\n', at) - at);
    EXPECT_NE(line.find("DIAGNOSIS=mtu_suspected"), std::string::npos) << line;
    EXPECT_NE(line.find("MTU_DIRECTION=" + std::string(direction)), std::string::npos) << line;
    EXPECT_NE(line.find("MTU_DETAIL="), std::string::npos) << line;
  }

  testing::TempDir dir_{"pw-mtu-daemon"};
  std::uint16_t metrics_port_ = 0;
  std::unique_ptr<testing::ChildProcess> daemon_;
};

TEST_F(MtuDaemonNetnsTest, HealthyPathRaisesNothing) {
  start_daemon();
  expect_verdict("none");
  EXPECT_EQ(daemon_->log().find("mtu_suspected"), std::string::npos) << daemon_->log();
}

TEST_F(MtuDaemonNetnsTest, InboundBlackholeRaisesMtuSuspectedInbound) {
  network_->rule(client(), testing::kLargePackets, "blackhole", kDrop);
  start_daemon();
  expect_verdict("inbound");
  expect_raised_event("inbound");
  EXPECT_GT(network_->packets(client(), "blackhole"), 0);
}

TEST_F(MtuDaemonNetnsTest, InboundResetRaisesMtuSuspectedInbound) {
  network_->rule(client(), testing::kLargePackets, "reset", kReset);
  start_daemon();
  expect_verdict("inbound");
  expect_raised_event("inbound");
  EXPECT_GT(network_->packets(client(), "reset"), 0);
}

TEST_F(MtuDaemonNetnsTest, OutboundBlackholeRaisesMtuSuspectedOutbound) {
  network_->rule(server(), testing::kLargePackets, "blackhole", kDrop);
  start_daemon();
  expect_verdict("outbound");
  expect_raised_event("outbound");
  EXPECT_GT(network_->packets(server(), "blackhole"), 0);
}

TEST_F(MtuDaemonNetnsTest, OutboundResetRaisesMtuSuspectedOutbound) {
  network_->rule(server(), testing::kLargePackets, "reset", kReset);
  start_daemon();
  expect_verdict("outbound");
  expect_raised_event("outbound");
  EXPECT_GT(network_->packets(server(), "reset"), 0);
}

}  // namespace
}  // namespace proxywatch
