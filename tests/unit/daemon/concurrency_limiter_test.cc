// ConcurrencyLimiter: FIFO hand-over of probe slots, and withdrawal of a waiter whose loop was
// stopped, so it neither waits for a slot nor holds up the waiters behind it.
#include "daemon/concurrency_limiter.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <memory>
#include <optional>

namespace proxywatch {
namespace {

namespace asio = boost::asio;

// Runs `context` until `done()` or 5 s pass.
template <class Pred>
bool run_until(asio::io_context& context, Pred done) {
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done() && context.run_one_until(end) > 0) {
  }
  return done();
}

TEST(ConcurrencyLimiterTest, WithdrawnWaiterGivesUpAtOnceAndLetsTheNextOneIn) {
  asio::io_context context;
  ConcurrencyLimiter limiter(context.get_executor(), 1);
  std::optional<bool> first, withdrawn, behind;
  auto take = [&](std::optional<bool>& got,
                  std::shared_ptr<asio::steady_timer> waiter) -> asio::awaitable<void> {
    got = co_await limiter.acquire(std::move(waiter));
  };
  auto timer = [&] { return std::make_shared<asio::steady_timer>(context); };
  auto stopped_loop = timer();
  asio::co_spawn(context, take(first, timer()), asio::detached);
  asio::co_spawn(context, take(withdrawn, stopped_loop), asio::detached);
  asio::co_spawn(context, take(behind, timer()), asio::detached);
  ASSERT_TRUE(run_until(context, [&] { return first && limiter.waiting() == 2; }));
  EXPECT_TRUE(*first);

  limiter.withdraw(stopped_loop);
  ASSERT_TRUE(run_until(context, [&] { return withdrawn.has_value(); }));
  EXPECT_FALSE(*withdrawn);
  EXPECT_EQ(limiter.waiting(), 1u);
  EXPECT_EQ(limiter.in_use(), 1u);

  limiter.release();  // the first probe ends: the slot goes to the one behind, not the withdrawn
  ASSERT_TRUE(run_until(context, [&] { return behind.has_value(); }));
  EXPECT_TRUE(*behind);
  EXPECT_EQ(limiter.in_use(), 1u);
  limiter.withdraw(stopped_loop);  // not queued any more: nothing happens
  EXPECT_EQ(limiter.waiting(), 0u);
}

}  // namespace
}  // namespace proxywatch
