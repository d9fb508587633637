// The scheduler's timing rule and the concurrency limiter, without any network.
#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <numeric>
#include <set>

#include "daemon/concurrency_limiter.h"
#include "daemon/scheduler.h"

namespace proxywatch {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;

TEST(NextDueTest, WithoutJitterIsExactlyOneIntervalAfterStart) {
  std::mt19937_64 rng(1);
  SteadyTime start{};
  EXPECT_EQ(next_due(start, milliseconds(60'000), milliseconds(0), rng),
            start + milliseconds(60'000));
}

TEST(NextDueTest, JitterStaysWithinItsBoundsAndVaries) {
  std::mt19937_64 rng(42);
  SteadyTime start{};
  std::set<SteadyTime::rep> seen;
  for (int i = 0; i < 1000; ++i) {
    auto due = next_due(start, milliseconds(60'000), milliseconds(5'000), rng);
    EXPECT_GE(due, start + milliseconds(55'000));
    EXPECT_LE(due, start + milliseconds(65'000));
    seen.insert(due.time_since_epoch().count());
  }
  EXPECT_GT(seen.size(), 100u);
}

TEST(NextDueTest, LargeJitterNeverBunchesProbesCloserThanHalfTheInterval) {
  std::mt19937_64 rng(7);
  SteadyTime start{};
  for (int i = 0; i < 1000; ++i) {
    EXPECT_GE(next_due(start, milliseconds(1'000), milliseconds(5'000), rng),
              start + milliseconds(500));
  }
}

// Starts `count` workers that each hold a slot for `hold`; records the peak concurrency and
// the order in which they got their slot.
struct LimiterRun {
  std::size_t peak = 0;
  std::vector<int> order;
};

LimiterRun run_workers(std::size_t limit, int count) {
  asio::io_context io;
  ConcurrencyLimiter limiter(io.get_executor(), limit);
  LimiterRun out;
  for (int i = 0; i < count; ++i) {
    asio::co_spawn(
        io,
        [&, i]() -> asio::awaitable<void> {
          EXPECT_TRUE(co_await limiter.acquire());
          SlotGuard guard(limiter);
          out.order.push_back(i);
          out.peak = std::max(out.peak, limiter.in_use());
          asio::steady_timer t(io, milliseconds(5));
          co_await t.async_wait(asio::use_awaitable);
        },
        asio::detached);
  }
  io.run_for(std::chrono::seconds(10));
  EXPECT_EQ(limiter.in_use(), 0u);
  EXPECT_EQ(limiter.waiting(), 0u);
  return out;
}

TEST(ConcurrencyLimiterTest, NeverMoreThanTheLimitInFlight) {
  auto run = run_workers(3, 20);
  EXPECT_EQ(run.order.size(), 20u);
  EXPECT_EQ(run.peak, 3u);
}

TEST(ConcurrencyLimiterTest, WaitersAreServedInArrivalOrder) {
  auto run = run_workers(1, 10);
  std::vector<int> expected(10);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(run.order, expected);
}

}  // namespace
}  // namespace proxywatch
