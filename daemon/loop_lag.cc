// The lag timer and its series.
#include "daemon/loop_lag.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/output/metrics/metric_labels.h"

namespace proxywatch {
namespace {

using Steady = std::chrono::steady_clock;

const prometheus::Histogram::BucketBoundaries kLagBuckets = {0.001, 0.005, 0.01, 0.05,
                                                             0.1,   0.5,   1,    5};

}  // namespace

LoopLag::LoopLag(boost::asio::any_io_executor executor, prometheus::Registry& registry)
    : timer_(executor),
      histogram_(prometheus::BuildHistogram()
                     .Name("proxywatch_event_loop_lag_seconds")
                     .Help("How late the probing thread's timers ran (each probe timer, and every "
                           "0.25 s while probes are in flight): probe phases measured at such a "
                           "moment are longer by as much")
                     .Register(registry)
                     .Add({}, kLagBuckets)),
      max_(register_gauge(registry, "proxywatch_event_loop_lag_max_seconds",
                          "The largest lag of the probing thread's event loop in the last one to "
                          "two minutes")
               .Add({})) {}

void LoopLag::start(std::function<bool()> busy) {
  busy_ = std::move(busy);
  running_ = true;
  window_start_ = Steady::now();
  arm();
}

void LoopLag::stop() {
  running_ = false;
  timer_.cancel();
}

void LoopLag::woke(Steady::duration late) {
  if (!running_) return;
  sample(late, Steady::now());
  if (!armed_) arm();
}

void LoopLag::arm() {
  armed_ = true;
  due_ = Steady::now() + kLoopLagPeriod;
  timer_.expires_at(due_);
  timer_.async_wait([this](boost::system::error_code ec) {
    armed_ = false;
    if (ec || !running_) return;
    const Steady::time_point now = Steady::now();
    sample(now - due_, now);
    // Idle (nothing in flight): asleep until the next probe timer wakes it.
    if (busy_ && busy_()) arm();
  });
}

void LoopLag::sample(Steady::duration lag, Steady::time_point now) {
  const double seconds = std::max(0.0, std::chrono::duration<double>(lag).count());
  histogram_.Observe(seconds);
  if (now - window_start_ >= kLoopLagWindow) {
    previous_max_ = window_max_;
    window_max_ = 0;
    window_start_ = now;
  }
  window_max_ = std::max(window_max_, seconds);
  max_.Set(std::max(window_max_, previous_max_));
  if (lag >= kLoopLagWarning && now - last_warning_ >= kLoopLagWindow) {
    last_warning_ = now;
    spdlog::warn(
        "the daemon's event loop ran {:.1f} s late: the host, not the proxy, was slow, and "
        "probe phases measured then are longer by as much",
        seconds);
  }
}

}  // namespace proxywatch
