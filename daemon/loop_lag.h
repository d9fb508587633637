// LoopLag: how late the probing thread's event loop runs, so that a user can tell when the host,
// not the proxy, was slow (docs/metrics.md, "The daemon's own timing"). Every probe timer that
// fires is a sample (how much later than due it ran: the time every probe timer and read of that
// moment waited too), and while probes are in flight a timer of its own asks to run every
// kLoopLagPeriod, so a block of the loop in the middle of a probe is seen too; with nothing in
// flight it sleeps, so an idle daemon is woken by nothing but its due timers. Exported as a
// histogram and as the largest lag of the last minute or two; a lag of a second or more is
// logged (at most once a minute). The io_context thread only.
#pragma once

#include <chrono>
#include <functional>

#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

namespace proxywatch {

// 4 wake-ups a second while probes are in flight: a block of the loop longer than this is seen.
inline constexpr std::chrono::milliseconds kLoopLagPeriod{250};
// The window of proxywatch_event_loop_lag_max_seconds: the largest lag of this window and the
// one before it.
inline constexpr std::chrono::seconds kLoopLagWindow{60};
// A lag this large is logged.
inline constexpr std::chrono::seconds kLoopLagWarning{1};

class LoopLag {
 public:
  LoopLag(boost::asio::any_io_executor executor, prometheus::Registry& registry);

  // `busy` says whether probes are in flight: the lag timer runs while it is true.
  void start(std::function<bool()> busy);
  void stop();

  // A probe timer fired `late` after it was due: a sample, and the lag timer runs again.
  void woke(std::chrono::steady_clock::duration late);

  // Records one sample of `lag` at `now` (start()'s timer calls it; tests may too).
  void sample(std::chrono::steady_clock::duration lag, std::chrono::steady_clock::time_point now);

 private:
  void arm();

  boost::asio::steady_timer timer_;
  prometheus::Histogram& histogram_;
  prometheus::Gauge& max_;
  std::chrono::steady_clock::time_point due_{};
  std::chrono::steady_clock::time_point window_start_{};
  double window_max_ = 0;
  double previous_max_ = 0;
  std::chrono::steady_clock::time_point last_warning_{};
  std::function<bool()> busy_;
  bool running_ = false;
  bool armed_ = false;
};

}  // namespace proxywatch
