// The fixture of the daemon-as-a-process tests of the tracker and its history
// (tracker_daemon_test.cc, history_daemon_test.cc): a scripted fake proxy that relays to a local
// TLS origin, a YAML that probes every 300 ms with a small window, and the daemon's metrics.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/fake_proxy.h"
#include "tests/support/local_port.h"
#include "tests/support/notify_socket.h"
#include "tests/support/process.h"
#include "tests/support/scrape.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_origin.h"
#include "tests/support/wait.h"

namespace proxywatch::testing {

using TrackerBehavior = FakeProxy::Behavior;
using namespace std::chrono_literals;

inline constexpr std::string_view kDiagnoses[] = {
    "mtu_suspected",      "acl_block",         "proxy_overloaded", "inspection_interference",
    "auth_misconfigured", "proxy_unreachable", "flapping"};

class TrackerDaemonFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ca_file_ = shared_pki().ca.cert_file.string();
    origin_ = std::make_unique<TlsOrigin>();
  }
  static void TearDownTestSuite() { origin_.reset(); }

  void start_proxy(std::vector<TrackerBehavior> cycle) {
    start_proxy_with(
        FakeProxy::Options{.upstream_port = origin_->port(), .cycle = std::move(cycle)});
  }
  void start_proxy_with(FakeProxy::Options options) {
    proxy_ = std::make_unique<FakeProxy>(std::move(options));
    dir_.write_file("iprep_proxy.conf", "iprep_proxy {\n  PROXY_HOST 127.0.0.1;\n  PROXY_PORT " +
                                            std::to_string(proxy_->port()) + ";\n}\n");
  }

  // Probes every 300 ms; a stalled CONNECT ends after 300 ms; a small window.
  void write_yaml(bool mtu = false, const std::string& target_extra = "",
                  const std::string& more_targets = "", const std::string& health_extra = "") {
    metrics_port_ = pick_free_port();
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
    EnvAdditions env;
    if (notify) env["NOTIFY_SOCKET"] = notify_.path().string();
    daemon_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{PROXYWATCH_BINARY, "daemon", "--config", yaml_.string(),
                                 "--log-target", "stderr"},
        dir_.path() / log_name, env);
    ASSERT_TRUE(wait_until([&] { return !scrape().empty(); }, 10s)) << daemon_->log();
  }

  std::string scrape() { return http_get(metrics_port_, "/metrics"); }

  std::optional<double> diagnosis(const std::string& text, std::string_view name) {
    return metric(text, "proxywatch_diagnosis", {"diagnosis=\"" + std::string(name) + "\""});
  }

  // Waits until `name` is raised, then checks that it is the only active diagnosis.
  void expect_exactly(std::string_view name) {
    ASSERT_TRUE(wait_until([&] { return diagnosis(scrape(), name) == 1; }, 15s))
        << scrape() << daemon_->log();
    std::string text = scrape();
    for (std::string_view other : kDiagnoses) {
      if (other == name) continue;
      EXPECT_FALSE(diagnosis(text, other).has_value()) << other << "\n" << text;
    }
  }

  static inline std::unique_ptr<TlsOrigin> origin_;
  static inline std::string ca_file_;

  TempDir dir_{"pw-tracker"};
  NotifySocket notify_{dir_.path() / "notify.sock"};
  std::unique_ptr<FakeProxy> proxy_;
  std::filesystem::path yaml_;
  std::uint16_t metrics_port_ = 0;
  std::unique_ptr<ChildProcess> daemon_;
};

}  // namespace proxywatch::testing
