// Confirmation probes in `proxywatch daemon` against scripted fake proxies: a proxy that starts
// denying makes the pair failing within its confirmations, not after three intervals, and one
// transient failure followed by a passing confirmation never changes health. The
// confirmations are counted in the metrics, marked in /status.json's window and the status
// page, and kept as such in the history (/history.json).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>

#include "tests/integration/tracker_daemon_fixture.h"
#include "tests/support/scrape.h"
#include "tests/support/wait.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;
using ConfirmBehavior = testing::FakeProxy::Behavior;
using testing::http_get;
using testing::metric;

class ConfirmationDaemonTest : public testing::TrackerDaemonFixture {
 protected:
  double count(const std::string& name, const std::string& outcome = "") {
    std::vector<std::string> labels{"target=\"origin\""};
    if (!outcome.empty()) labels.push_back("outcome=\"" + outcome + "\"");
    return metric(scrape(), name, labels).value_or(0);
  }
  double health(const std::string& state) {
    return metric(scrape(), "proxywatch_health_state",
                  {"target=\"origin\"", "state=\"" + state + "\""})
        .value_or(0);
  }
  // How many probes of /history.json are marked confirmations, and how many in all.
  std::pair<std::size_t, std::size_t> history_confirmations() {
    auto doc = boost::json::parse(http_get(metrics_port_, "/history.json")).as_object();
    std::size_t marked = 0, all = 0;
    for (const auto& p : doc.at("probes").as_array()) {
      ++all;
      if (p.as_object().at("confirmation").as_bool()) ++marked;
    }
    return {marked, all};
  }
};

TEST_F(ConfirmationDaemonTest, ADenyingProxyIsFailingWithinItsConfirmationsNotAfterIntervals) {
  start_proxy_with(testing::FakeProxy::Options{.behavior = ConfirmBehavior::kStatus,
                                               .status_line = "HTTP/1.1 403 Forbidden"});
  // One probe a minute, as by default; confirmations 0.3 s and 0.6 s after a failure.
  write_yaml(false, ", interval: 60s", "confirm: {delays: [300ms, 600ms, 1s]}\n");
  const auto started = std::chrono::steady_clock::now();
  start_daemon();
  ASSERT_TRUE(testing::wait_until([&] { return health("failing") == 1; }, 20s))
      << scrape() << daemon_->log();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_LT(seconds, 15.0) << "failing after the first probe and two confirmations";
  // Settled: the third failure made it failing and raised acl_block; no third confirmation.
  ASSERT_TRUE(testing::wait_until(
      [&] {
        return count("proxywatch_probes_total", "proxy_denied") == 3 &&
               metric(scrape(), "proxywatch_diagnosis",
                      {"target=\"origin\"", "diagnosis=\"acl_block\""}) == 1;
      },
      5s))
      << scrape();
  EXPECT_EQ(count("proxywatch_confirmation_probes_total"), 2);
  EXPECT_FALSE(testing::wait_until(
      [&] { return count("proxywatch_probes_total", "proxy_denied") > 3; }, 1500ms))
      << "settled: the next probe is the regular one, a minute later";

  auto status = boost::json::parse(http_get(metrics_port_, "/status.json")).as_object();
  const auto& target = status.at("targets").as_array().at(0).as_object();
  EXPECT_FALSE(target.at("confirming").as_bool());
  std::size_t marked = 0;
  for (const auto& p : target.at("probes").as_array()) {
    if (p.as_object().at("confirmation").as_bool()) ++marked;
  }
  EXPECT_EQ(marked, 2u) << boost::json::serialize(target);
  EXPECT_NE(http_get(metrics_port_, "/").find("(confirmation)"), std::string::npos);
  // The history writer commits within a second or so.
  ASSERT_TRUE(testing::wait_until(
      [&] {
        return history_confirmations() == std::pair<std::size_t, std::size_t>{2, 3};
      },
      5s))
      << http_get(metrics_port_, "/history.json");
}

TEST_F(ConfirmationDaemonTest, OneTransientFailureConfirmedAwayNeverChangesHealth) {
  // Connections: a tunnel, one 403, then tunnels.
  std::vector<ConfirmBehavior> cycle{ConfirmBehavior::kRelay, ConfirmBehavior::kStatus};
  cycle.resize(12, ConfirmBehavior::kRelay);
  start_proxy_with(testing::FakeProxy::Options{
      .upstream_port = origin_->port(), .status_line = "HTTP/1.1 403 Forbidden", .cycle = cycle});
  write_yaml(false, ", interval: 2s", "confirm: {delays: [300ms, 600ms, 1s]}\n");
  start_daemon();
  ASSERT_TRUE(testing::wait_until(
      [&] {
        return count("proxywatch_probes_total", "proxy_denied") == 1 &&
               count("proxywatch_confirmation_probes_total") == 1 &&
               count("proxywatch_probes_total", "ok") >= 2;
      },
      15s))
      << scrape() << daemon_->log();
  EXPECT_EQ(health("healthy"), 1);
  const std::string log = daemon_->log();
  EXPECT_NE(log.find("health unknown -> healthy"), std::string::npos) << log;
  EXPECT_EQ(log.find("-> failing"), std::string::npos) << log;
  EXPECT_EQ(log.find("-> degraded"), std::string::npos) << log;
  EXPECT_EQ(count("proxywatch_probes_total", "proxy_denied"), 1);
}

}  // namespace
}  // namespace proxywatch
