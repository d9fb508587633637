// Confirmation probes in the scheduler, against a scripted proxy that denies every CONNECT: a
// probe the decider calls unsettled is followed by confirmations at the configured delays,
// marked as such, at most one per delay before the next regular probe, and the regular cadence
// is not moved by them.
#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "daemon/scheduler.h"
#include "tests/support/fake_proxy.h"

namespace proxywatch {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using testing::FakeProxy;
using ConfirmClock = std::chrono::steady_clock;

struct SeenProbe {
  ConfirmClock::time_point at;
  bool confirmation = false;
};

config::PlannedTarget confirm_target(std::uint16_t proxy_port, Millis interval) {
  config::PlannedTarget t;
  t.name = "a";
  t.spec.proxy = {"127.0.0.1", proxy_port};
  t.spec.target = {"origin.test", 443};
  t.spec.timeouts.set_all_phases(std::chrono::seconds(5));
  t.interval = interval;
  return t;
}

// Runs the scheduler with `delays` until `count` probes finished (at most 20 s); `unsettled`
// answers the decider for the n-th probe (0-based).
std::vector<SeenProbe> confirm_run(std::vector<Millis> delays, Millis interval, std::size_t count,
                                   std::function<bool(std::size_t)> unsettled) {
  FakeProxy proxy(
      {.behavior = FakeProxy::Behavior::kStatus, .status_line = "HTTP/1.1 403 Forbidden"});
  asio::io_context io;
  std::vector<SeenProbe> seen;
  Scheduler scheduler(
      io.get_executor(), 4,
      [&](const config::PlannedTarget&, const ProbeResult& r, const ProbePackets*) {
        seen.push_back({ConfirmClock::now(), r.confirmation});
      },
      [](const config::PlannedTarget&, const std::string& e) { FAIL() << e; });
  scheduler.set_confirmation(std::move(delays), [&](const config::PlannedTarget& t) {
    EXPECT_EQ(t.name, "a");
    return unsettled(seen.size() - 1);
  });
  scheduler.apply({confirm_target(proxy.port(), interval)}, milliseconds(0));
  auto end = ConfirmClock::now() + std::chrono::seconds(20);
  while (seen.size() < count && ConfirmClock::now() < end) io.run_for(milliseconds(10));
  scheduler.stop();
  return seen;
}

milliseconds gap(const std::vector<SeenProbe>& seen, std::size_t i) {
  return std::chrono::duration_cast<milliseconds>(seen[i].at - seen[i - 1].at);
}

TEST(SchedulerConfirmTest, UnsettledProbesAreConfirmedAtTheDelaysThenTheIntervalResumes) {
  // Every probe unsettled: three confirmations (200, 400, 600 ms), then the regular probe one
  // interval (3 s) after the first, then three confirmations again.
  auto seen = confirm_run({milliseconds(200), milliseconds(400), milliseconds(600)},
                          milliseconds(3000), 6, [](std::size_t) { return true; });
  ASSERT_EQ(seen.size(), 6u);
  EXPECT_FALSE(seen[0].confirmation);
  EXPECT_TRUE(seen[1].confirmation);
  EXPECT_TRUE(seen[2].confirmation);
  EXPECT_TRUE(seen[3].confirmation);
  EXPECT_FALSE(seen[4].confirmation) << "at most delays.size() confirmations in a row";
  EXPECT_TRUE(seen[5].confirmation) << "a new regular probe may be confirmed again";
  // Each delay after the end of the probe before (a 403 takes a few ms).
  EXPECT_GE(gap(seen, 1), milliseconds(200));
  EXPECT_LT(gap(seen, 1), milliseconds(500));
  EXPECT_GE(gap(seen, 2), milliseconds(400));
  EXPECT_LT(gap(seen, 2), milliseconds(700));
  EXPECT_GE(gap(seen, 3), milliseconds(600));
  EXPECT_LT(gap(seen, 3), milliseconds(900));
  // The regular cadence: one interval after the regular probe, not after the confirmations.
  auto regular = std::chrono::duration_cast<milliseconds>(seen[4].at - seen[0].at);
  EXPECT_GE(regular, milliseconds(2950));
  EXPECT_LT(regular, milliseconds(3500));
}

TEST(SchedulerConfirmTest, ASettledVerdictEndsTheConfirmationsAndNoneAreMadeWhenOff) {
  // Unsettled after the first probe only: one confirmation, then the interval.
  auto seen = confirm_run({milliseconds(200), milliseconds(200)}, milliseconds(1500), 3,
                          [](std::size_t n) { return n == 0; });
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_TRUE(seen[1].confirmation);
  EXPECT_FALSE(seen[2].confirmation);
  EXPECT_GE(std::chrono::duration_cast<milliseconds>(seen[2].at - seen[0].at), milliseconds(1450));

  // No delays: every probe regular, one interval apart, whatever the decider says.
  auto off = confirm_run({}, milliseconds(700), 3, [](std::size_t) { return true; });
  ASSERT_EQ(off.size(), 3u);
  for (const SeenProbe& p : off) EXPECT_FALSE(p.confirmation);
  EXPECT_GE(gap(off, 1), milliseconds(650));
  EXPECT_GE(gap(off, 2), milliseconds(650));
}

TEST(SchedulerConfirmTest, AConfirmationDueAfterTheNextRegularProbeIsNotMade) {
  // A 2 s delay with a 1 s interval: the regular probe comes first and no probe is marked.
  auto seen =
      confirm_run({milliseconds(2000)}, milliseconds(1000), 3, [](std::size_t) { return true; });
  ASSERT_EQ(seen.size(), 3u);
  for (const SeenProbe& p : seen) EXPECT_FALSE(p.confirmation);
  EXPECT_GE(gap(seen, 1), milliseconds(950));
  EXPECT_LT(gap(seen, 1), milliseconds(1500));
}

}  // namespace
}  // namespace proxywatch
