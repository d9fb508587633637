// The daemon's own descriptor limit is its own: under `prlimit --nofile=64` (soft = hard, so the
// daemon cannot raise it) 200 targets starting at once run out of descriptors. Those probes end
// local_error, counted in proxywatch_local_errors_total and /status.json, logged once, and never
// reach a pair's history: no tcp_refused, no proxy_unreachable, no target failing.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <iostream>
#include <memory>
#include <sstream>

#include "tests/support/fake_proxy.h"
#include "tests/support/local_port.h"
#include "tests/support/process.h"
#include "tests/support/scrape.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace proxywatch {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// The sum of every `name` series whose line holds `fragment`.
double local_errors_test_sum(const std::string& text, const std::string& name,
                             const std::string& fragment) {
  double sum = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name + "{", 0) != 0 || line.find(fragment) == std::string::npos) continue;
    sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

TEST(LocalErrorsDaemonTest, RunningOutOfDescriptorsIsCountedAndBlamesNoProxy) {
  testing::FakeProxy proxy(
      {.behavior = testing::FakeProxy::Behavior::kStatus, .status_line = "HTTP/1.1 403 Forbidden"});
  testing::TempDir dir("pw-local-errors");
  dir.write_file("iprep_proxy.conf", "iprep_proxy {\n  PROXY_HOST 127.0.0.1;\n  PROXY_PORT " +
                                         std::to_string(proxy.port()) + ";\n}\n");
  const std::uint16_t port = testing::pick_free_port();
  // Negative probes: the proxy's 403 is their pass, so every pair that is probed is healthy.
  std::string yaml =
      "proxy_file: " + (dir.path() / "iprep_proxy.conf").string() +
      "\nmetrics_listen: 127.0.0.1:" + std::to_string(port) +
      "\ninterval: 1h\njitter: 0s\nmax_concurrent_probes: 200\nstate_dir: " + dir.path().string() +
      "\ntargets:\n";
  for (int i = 0; i < 200; ++i) {
    yaml += "  - {name: t" + std::to_string(i) + ", host: blocked.test, expect: denied}\n";
  }
  auto config = dir.write_file("proxywatch.yaml", yaml);
  testing::ChildProcess daemon({"prlimit", "--nofile=64:64", PROXYWATCH_BINARY, "daemon",
                                "--config", config.string(), "--log-target", "stderr"},
                               dir.path() / "daemon.log");
  std::string metrics;
  ASSERT_TRUE(testing::wait_until(
      [&] {
        metrics = testing::http_get(port, "/metrics");
        return testing::metric(metrics, "proxywatch_local_errors_total", {"reason=\"emfile\""})
                       .value_or(0) > 0 &&
               local_errors_test_sum(metrics, "proxywatch_probes_total", "outcome=\"") > 0;
      },
      10s))
      << metrics << daemon.log();
  std::cout << "under 64 descriptors: "
            << testing::metric(metrics, "proxywatch_local_errors_total", {"reason=\"emfile\""})
                   .value_or(0)
            << " local errors, "
            << local_errors_test_sum(metrics, "proxywatch_probes_total", "outcome=\"")
            << " of 200 probes recorded\n";
  EXPECT_EQ(local_errors_test_sum(metrics, "proxywatch_probes_total", "outcome=\"tcp_refused\""),
            0);
  EXPECT_EQ(local_errors_test_sum(metrics, "proxywatch_probes_total", "outcome=\"local_error\""), 0)
      << "a local error reached a pair's series";
  EXPECT_EQ(local_errors_test_sum(metrics, "proxywatch_diagnosis", ""), 0) << metrics;
  std::string status;
  ASSERT_TRUE(testing::wait_until(
      [&] { return !(status = testing::http_get(port, "/status.json")).empty(); }, 5s));
  json::object root = json::parse(status).as_object();
  EXPECT_GE(root["local_errors"].as_object()["emfile"].to_number<double>(), 1) << status;
  for (const json::value& t : root["targets"].as_array()) {
    std::string health(t.as_object().at("health").as_string());
    EXPECT_TRUE(health == "unknown" || health == "healthy") << health;
  }
  std::string page = testing::http_get(port, "/");
  EXPECT_NE(page.find("could not open a socket"), std::string::npos);
  std::string log = daemon.log();
  EXPECT_NE(log.find("file descriptor limit (64)"), std::string::npos) << log;
  // Logged once for the episode, not once per probe.
  std::size_t lines = 0;
  for (auto at = log.find("could not open a socket"); at != std::string::npos;
       at = log.find("could not open a socket", at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 1u) << log;
}

}  // namespace
}  // namespace proxywatch
