// The scheduler against scripted proxies: targets are probed at once and then on their
// interval, never twice at the same time, at most N probes in flight, and a new plan
// replaces the old one.
#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include <map>

#include "daemon/scheduler.h"
#include "tests/support/fake_proxy.h"

namespace proxywatch {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using testing::FakeProxy;

config::PlannedTarget target(std::string name, std::uint16_t proxy_port, Millis interval) {
  config::PlannedTarget t;
  t.name = std::move(name);
  t.spec.proxy = {"127.0.0.1", proxy_port};
  t.spec.target = {"origin.test", 443};
  t.spec.timeouts.set_all_phases(std::chrono::seconds(5));
  t.interval = interval;
  return t;
}

// Runs `io` until `done()` or the deadline; returns whether done() became true.
template <class Pred>
bool run_until(asio::io_context& io, Pred done, milliseconds deadline) {
  auto end = std::chrono::steady_clock::now() + deadline;
  while (!done() && std::chrono::steady_clock::now() < end) io.run_for(milliseconds(10));
  return done();
}

TEST(SchedulerTest, ProbesAtOnceThenOnInterval) {
  FakeProxy proxy(
      {.behavior = FakeProxy::Behavior::kStatus, .status_line = "HTTP/1.1 403 Forbidden"});
  asio::io_context io;
  std::vector<std::chrono::system_clock::time_point> seen;  // when each probe started
  Scheduler scheduler(
      io.get_executor(), 4,
      [&](const config::PlannedTarget& t, const ProbeResult& r, const ProbePackets*) {
        EXPECT_EQ(t.name, "a");
        EXPECT_EQ(r.outcome, Outcome::kProxyDenied);
        seen.push_back(r.started);
      },
      [](const config::PlannedTarget&, const std::string& e) { FAIL() << e; });
  // An interval of two seconds: "at once" (within half of it) and "after an interval" stay far
  // apart even on a loaded machine under a sanitizer (with one second, the first probe of a
  // CI run under ASan, beside the TSan build, started 521 ms late).
  auto start = std::chrono::system_clock::now();
  scheduler.apply({target("a", proxy.port(), milliseconds(2000))}, milliseconds(0));
  ASSERT_TRUE(run_until(
      io, [&] { return seen.size() >= 3; }, milliseconds(15'000)));
  EXPECT_LT(seen[0] - start, milliseconds(1000));  // at once, not after an interval
  EXPECT_GE(seen[1] - seen[0], milliseconds(1950));
  EXPECT_GE(seen[2] - seen[1], milliseconds(1950));
}

TEST(SchedulerTest, BoundedConcurrencyAndOneProbePerTargetAtATime) {
  FakeProxy slow({.behavior = FakeProxy::Behavior::kNeverAnswer});
  asio::io_context io;
  std::size_t peak = 0;
  std::map<std::string, int> finished;
  Scheduler* self = nullptr;
  Scheduler scheduler(
      io.get_executor(), 3,
      [&](const config::PlannedTarget& t, const ProbeResult& r, const ProbePackets*) {
        EXPECT_EQ(r.outcome, Outcome::kProxyStalled);
        ++finished[t.name];
        peak = std::max(peak, self->probes_in_flight());
      },
      [](const config::PlannedTarget&, const std::string& e) { FAIL() << e; });
  self = &scheduler;
  std::vector<config::PlannedTarget> targets;
  for (int i = 0; i < 9; ++i) {
    auto t = target("t" + std::to_string(i), slow.port(), milliseconds(10));
    t.spec.timeouts.proxy_connect = milliseconds(200);
    targets.push_back(t);
  }
  scheduler.apply(targets, milliseconds(0));
  ASSERT_TRUE(run_until(
      io, [&] { return finished.size() == 9; }, milliseconds(10'000)));
  EXPECT_LE(peak, 3u);
  // The proxy never answers, so every connection it saw is a probe that was in flight; with
  // 3 slots and 200 ms deadlines, 9 targets need at least 3 rounds.
  EXPECT_GE(slow.requests().size(), 9u);
}

TEST(SchedulerTest, NewPlanReplacesOldTargets) {
  FakeProxy first(
      {.behavior = FakeProxy::Behavior::kStatus, .status_line = "HTTP/1.1 403 Forbidden"});
  FakeProxy second({.behavior = FakeProxy::Behavior::kStatus,
                    .status_line = "HTTP/1.1 503 Service Unavailable"});
  asio::io_context io;
  std::map<std::string, int> results;
  Scheduler scheduler(
      io.get_executor(), 4,
      [&](const config::PlannedTarget& t, const ProbeResult&, const ProbePackets*) {
        ++results[t.name];
      },
      [](const config::PlannedTarget&, const std::string& e) { FAIL() << e; });
  scheduler.apply({target("old", first.port(), milliseconds(50))}, milliseconds(0));
  ASSERT_TRUE(run_until(
      io, [&] { return results["old"] >= 2; }, milliseconds(10'000)));
  scheduler.apply({target("new", second.port(), milliseconds(50))}, milliseconds(0));
  int old_count = results["old"];
  ASSERT_TRUE(run_until(
      io, [&] { return results["new"] >= 3; }, milliseconds(10'000)));
  EXPECT_EQ(results["old"], old_count);
}

TEST(SchedulerTest, UnloadableCaFileIsReportedNotProbed) {
  asio::io_context io;
  std::string error;
  Scheduler scheduler(
      io.get_executor(), 4,
      [&](const config::PlannedTarget&, const ProbeResult&, const ProbePackets*) { FAIL(); },
      [&](const config::PlannedTarget&, const std::string& e) { error = e; });
  auto t = target("a", 1, milliseconds(1000));
  t.spec.ca_file = "/nonexistent/ca.pem";
  scheduler.apply({t}, milliseconds(0));
  ASSERT_TRUE(run_until(
      io, [&] { return !error.empty(); }, milliseconds(5'000)));
  EXPECT_NE(error.find("/nonexistent/ca.pem"), std::string::npos);
}

}  // namespace
}  // namespace proxywatch
