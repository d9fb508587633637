// The daemon and the FMC's services (issue 18): with no `targets:` it probes the default service
// groups — through a scripted proxy on loopback that refuses every CONNECT, so no probe ever
// leaves the machine — and says which FMC feature is at risk in /status.json, `proxywatch
// status`, the journal's health events and proxywatch_target_info; a plain-HTTP target runs in
// the daemon like any other.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <algorithm>
#include <set>
#include <string>

#include "tests/support/fake_proxy.h"
#include "tests/support/http_origin.h"
#include "tests/support/local_port.h"
#include "tests/support/notify_socket.h"
#include "tests/support/process.h"
#include "tests/support/scrape.h"
#include "tests/support/squid.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

class ServicesDaemonTest : public ::testing::Test {
 protected:
  // Writes the proxy file naming 127.0.0.1:`proxy_port` and a YAML file with `body` after the
  // daemon's own settings (1 s interval, no jitter, the MTU comparison every second when
  // `mtu`, else off).
  void configure(std::uint16_t proxy_port, const std::string& body, bool mtu = false) {
    dir_.write_file("iprep_proxy.conf", "iprep_proxy {\n  PROXY_HOST 127.0.0.1;\n  PROXY_PORT " +
                                            std::to_string(proxy_port) + ";\n}\n");
    metrics_port_ = testing::pick_free_port();
    yaml_ = dir_.write_file("proxywatch.yaml",
                            "proxy_file: " + (dir_.path() / "iprep_proxy.conf").string() +
                                "\nmetrics_listen: 127.0.0.1:" + std::to_string(metrics_port_) +
                                "\ninterval: 1s\njitter: 0s\nstate_dir: " + dir_.path().string() +
                                "\nmtu_probe: {enabled: " + (mtu ? "true, interval: 1s" : "false") +
                                "}\ntimeouts: {proxy_connect: 2s}\n" + body);
  }

  void start_daemon() {
    daemon_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{PROXYWATCH_BINARY, "daemon", "--config", yaml_.string(),
                                 "--log-target", "stderr"},
        dir_.path() / "daemon.log",
        testing::EnvAdditions{{"NOTIFY_SOCKET", notify_.path().string()}});
    ASSERT_TRUE(notify_.wait_for("READY=1", 10s)) << daemon_->log();
  }

  std::string scrape() const { return testing::http_get(metrics_port_, "/metrics"); }

  json::object status_json() const {
    boost::system::error_code ec;
    json::value value = json::parse(testing::http_get(metrics_port_, "/status.json"), ec);
    return !ec && value.is_object() ? value.as_object() : json::object{};
  }

  testing::TempDir dir_{"pw-services"};
  testing::NotifySocket notify_{dir_.path() / "notify.sock"};
  std::filesystem::path yaml_;
  std::uint16_t metrics_port_ = 0;
  std::unique_ptr<testing::ChildProcess> daemon_;
};

TEST_F(ServicesDaemonTest, DefaultPlanProbesTheFmcServicesAndNamesTheFeatureAtRisk) {
  // The proxy refuses every CONNECT itself, as squid's ACL would: nothing is forwarded.
  testing::FakeProxy proxy({.behavior = testing::FakeProxy::Behavior::kStatus,
                            .status_line = "HTTP/1.1 403 Forbidden",
                            .extra_headers = {"X-Squid-Error: ERR_ACCESS_DENIED 0"}});
  configure(proxy.port(), "");
  start_daemon();
  const std::set<std::string> expected = {"CONNECT tools.cisco.com:443 HTTP/1.1",
                                          "CONNECT smartreceiver.cisco.com:443 HTTP/1.1",
                                          "CONNECT intelligence.sourcefire.com:443 HTTP/1.1",
                                          "CONNECT support.sourcefire.com:443 HTTP/1.1",
                                          "CONNECT updates.vrt.sourcefire.com:443 HTTP/1.1",
                                          "CONNECT amp.updates.vrt.sourcefire.com:443 HTTP/1.1"};
  std::set<std::string> seen;
  ASSERT_TRUE(testing::wait_until(
      [&] {
        for (const std::string& head : proxy.requests())
          seen.insert(head.substr(0, head.find('\r')));
        return seen.size() >= expected.size();
      },
      15s, 100ms))
      << daemon_->log();
  EXPECT_EQ(seen, expected) << "the AMP clouds are off by default";

  // Every feature fails (failing_after: 3 probes at 1 s) and says so with its service.
  ASSERT_TRUE(testing::wait_until(
      [&] {
        const json::object status = status_json();
        const json::value* targets = status.if_contains("targets");
        if (!targets || targets->as_array().size() != 6) return false;
        return std::all_of(targets->as_array().begin(), targets->as_array().end(),
                           [](const json::value& t) { return t.at("health") == "failing"; });
      },
      20s, 200ms))
      << json::serialize(status_json());
  std::map<std::string, std::string> service_of;
  const json::object status = status_json();
  for (const json::value& t : status.at("targets").as_array()) {
    service_of[std::string(t.at("name").as_string())] = std::string(t.at("service").as_string());
  }
  EXPECT_EQ(service_of["tools.cisco.com:443"], "licensing");
  EXPECT_EQ(service_of["intelligence.sourcefire.com:443"], "security_intelligence");
  EXPECT_EQ(service_of["updates.vrt.sourcefire.com:443"], "updates");

  const std::string text = scrape();
  EXPECT_EQ(testing::metric(
                text, "proxywatch_target_info",
                {"target=\"intelligence.sourcefire.com:443\"", "service=\"security_intelligence\"",
                 "destination=\"intelligence.sourcefire.com:443\""}),
            1)
      << text;

  auto cli = testing::run_process({PROXYWATCH_BINARY, "status", "--config", yaml_.string()});
  EXPECT_EQ(cli.exit_code, 1) << cli.err;
  EXPECT_NE(cli.out.find("\n  Smart Licensing: failing — proxy_denied on tools.cisco.com:443\n"),
            std::string::npos)
      << cli.out;
  EXPECT_NE(cli.out.find("\n  Security Intelligence feed downloads: failing — proxy_denied on "
                         "intelligence.sourcefire.com:443\n"),
            std::string::npos)
      << cli.out;
  // The journal's health event starts with the feature and carries SERVICE.
  EXPECT_NE(daemon_->log().find("software, VDB and rule updates: failing — proxy_denied on "
                                "support.sourcefire.com:443; "),
            std::string::npos)
      << daemon_->log();
  EXPECT_NE(daemon_->log().find("SERVICE=updates"), std::string::npos);
}

TEST_F(ServicesDaemonTest, PlainHttpTargetRunsInTheDaemonWithItsService) {
  testing::HttpOrigin origin;
  testing::Squid squid({.hosts = {{"feeds.test", "127.0.0.1"}}});
  const std::string url = "http://feeds.test:" + std::to_string(origin.port()) + "/bytes/3000";
  configure(squid.port(),
            "targets:\n  - {name: feed, url: '" + url + "', service: security_intelligence}\n",
            true);
  start_daemon();
  ASSERT_TRUE(testing::wait_until(
      [&] {
        return testing::metric(scrape(), "proxywatch_probe_success", {"target=\"feed\""}) == 1;
      },
      10s, 100ms))
      << scrape() << daemon_->log();
  const std::string text = scrape();
  EXPECT_EQ(testing::metric(text, "proxywatch_target_info",
                            {"target=\"feed\"", "service=\"security_intelligence\"",
                             "destination=\"" + url + "\""}),
            1)
      << text;
  EXPECT_EQ(testing::metric(text, "proxywatch_probe_http_status_code", {"target=\"feed\""}), 200);
  EXPECT_EQ(testing::metric(text, "proxywatch_probe_body_bytes", {"target=\"feed\""}), 3000);
  // No MTU comparison (though it is on, every second) and no TLS series for a plain-HTTP
  // target: after three probes there is still no verdict.
  ASSERT_TRUE(testing::wait_until(
      [&] {
        return testing::metric(scrape(), "proxywatch_probes_total",
                               {"target=\"feed\"", "outcome=\"ok\""}) >= 3;
      },
      10s, 100ms));
  EXPECT_EQ(scrape().find("proxywatch_mtu_verdict_info{"), std::string::npos);
  EXPECT_EQ(text.find("proxywatch_tls_info{"), std::string::npos);
  const json::object status = status_json();
  const json::value& target = status.at("targets").as_array().at(0);
  EXPECT_EQ(target.at("destination").as_string(), url);
  EXPECT_EQ(target.at("service"), "security_intelligence");
  EXPECT_GE(origin.request_lines().size(), 1u);
}

}  // namespace
}  // namespace proxywatch
