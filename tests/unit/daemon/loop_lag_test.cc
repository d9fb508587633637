// LoopLag: each sample goes into the histogram; the max gauge holds the largest lag of the
// current and the previous window, and forgets it after that.
#include "daemon/loop_lag.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>
#include <boost/asio/io_context.hpp>

namespace proxywatch {
namespace {

using namespace std::chrono_literals;

// The value of the series `name` (no labels) in `registry`.
double loop_lag_value(prometheus::Registry& registry, const std::string& name) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    const auto& metric = family.metric.at(0);
    if (family.type == prometheus::MetricType::Histogram) {
      return static_cast<double>(metric.histogram.sample_count);
    }
    return metric.gauge.value;
  }
  return -1;
}

TEST(LoopLagTest, SamplesAreCountedAndTheMaxLastsTwoWindows) {
  boost::asio::io_context io;
  prometheus::Registry registry;
  LoopLag lag(io.get_executor(), registry);
  const auto start = std::chrono::steady_clock::now();
  lag.start([] { return false; });
  lag.sample(2ms, start + 1s);
  lag.sample(1500ms, start + 2s);
  lag.sample(3ms, start + 3s);
  EXPECT_EQ(loop_lag_value(registry, "proxywatch_event_loop_lag_seconds"), 3 + 0.0);
  EXPECT_DOUBLE_EQ(loop_lag_value(registry, "proxywatch_event_loop_lag_max_seconds"), 1.5);
  lag.sample(1ms, start + kLoopLagWindow + 1s);  // the next window: the previous one's max stays
  EXPECT_DOUBLE_EQ(loop_lag_value(registry, "proxywatch_event_loop_lag_max_seconds"), 1.5);
  lag.sample(1ms, start + 2 * kLoopLagWindow + 2s);  // two windows on: forgotten
  EXPECT_DOUBLE_EQ(loop_lag_value(registry, "proxywatch_event_loop_lag_max_seconds"), 0.001);
  lag.stop();
  io.run();  // the cancelled timer's handler ends without sampling
  EXPECT_EQ(loop_lag_value(registry, "proxywatch_event_loop_lag_seconds"), 5 + 0.0);
}

// Its timer runs while probes are in flight and sleeps when none are: an idle daemon is woken
// by nothing but its due timers. A probe timer that fires is a sample and wakes it again.
TEST(LoopLagTest, TheTimerRunsWhileProbesAreInFlightAndSleepsWhenIdle) {
  boost::asio::io_context io;
  prometheus::Registry registry;
  LoopLag lag(io.get_executor(), registry);
  int busy_for = 3;  // three more periods "in flight", then idle
  lag.start([&] { return busy_for-- > 0; });
  // run() returns only once nothing is left to do: the timer stopped re-arming itself.
  io.run_for(5s);
  EXPECT_TRUE(io.stopped());
  EXPECT_EQ(loop_lag_value(registry, "proxywatch_event_loop_lag_seconds"), 4 + 0.0);
  io.restart();
  lag.woke(20ms);
  EXPECT_EQ(loop_lag_value(registry, "proxywatch_event_loop_lag_seconds"), 5 + 0.0);
  EXPECT_DOUBLE_EQ(loop_lag_value(registry, "proxywatch_event_loop_lag_max_seconds"), 0.02);
  io.run_for(5s);  // the timer it armed fires once, finds nothing in flight and sleeps
  EXPECT_TRUE(io.stopped());
  EXPECT_EQ(loop_lag_value(registry, "proxywatch_event_loop_lag_seconds"), 6 + 0.0);
  lag.stop();
}

}  // namespace
}  // namespace proxywatch
