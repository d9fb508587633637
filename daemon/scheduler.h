// The scheduler: one coroutine loop per planned target, probing it at its interval with
// jitter, never two probes of the same target at once, at most N probes in flight overall,
// all on the one io_context thread. A new plan replaces the old one at once: old loops stop
// (their probes in flight end within their deadlines and their results are dropped) and
// every new target is probed immediately. When MTU comparisons are on, each target that is not
// a negative probe also gets one (three probes in a row, one limiter slot) right after its
// first probe and then every MTU interval, inside its own loop, so it never overlaps that
// target's normal probe. With confirmation probes set (set_confirmation), a probe that leaves
// its target's verdict unsettled is followed by the next sooner: after delays[0], then
// delays[1] ..., at most delays.size() of them before the next regular probe, each marked
// ProbeResult::confirmation; the regular probes keep their cadence. With a PacketCapture
// (common/capture/), every probe is captured: the packets reach the sink with the result, read
// after the probe's own timing ended.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <random>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "common/capture/probe_packets.h"
#include "common/probe/mtu_check.h"
#include "common/probe/tls_contexts.h"
#include "common/probe_result.h"
#include "config/plan.h"
#include "daemon/concurrency_limiter.h"

namespace proxywatch {

class PacketCapture;

using SteadyTime = std::chrono::steady_clock::time_point;

// When the probe after one that started at `started` is due: `interval` later, moved by a
// uniformly random offset in [-jitter, +jitter], and never earlier than `started` plus half
// the interval (jitter must not make a target's probes bunch up).
SteadyTime next_due(SteadyTime started, Millis interval, Millis jitter, std::mt19937_64& rng);

// When the scheduler runs MTU comparisons; disabled by default.
struct MtuSchedule {
  bool enabled = false;
  Millis interval{3'600'000};
  friend bool operator==(const MtuSchedule&, const MtuSchedule&) = default;
};

class Scheduler {
 public:
  // Called on the io_context thread with each finished probe of the current plan, and its
  // packets when the scheduler captures (nullptr otherwise).
  using Sink =
      std::function<void(const config::PlannedTarget&, const ProbeResult&, const ProbePackets*)>;
  // Called when a target's probe cannot start (its CA file does not load).
  using ErrorSink = std::function<void(const config::PlannedTarget&, const std::string&)>;
  // Called on the io_context thread with each finished MTU comparison of the current plan, and
  // the packets of its three probes when the scheduler captures (nullptr otherwise).
  using MtuSink =
      std::function<void(const config::PlannedTarget&, const MtuReport&, const ProbePackets*)>;

  // `capture`, when given, captures every probe (it must outlive the scheduler's loops).
  Scheduler(boost::asio::any_io_executor ex, std::size_t max_concurrent, Sink sink,
            ErrorSink error_sink, MtuSink mtu_sink = {}, PacketCapture* capture = nullptr);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Asked on the io_context thread after each probe that reached the sink: true when the
  // target's verdict is unsettled and it should be confirmed by a probe soon.
  using ConfirmDecider = std::function<bool(const config::PlannedTarget&)>;
  // Confirmation probes for the loops the next apply() starts (empty `delays`: none).
  void set_confirmation(std::vector<Millis> delays, ConfirmDecider decide);

  // Replaces the running targets with `targets` (empty: nothing is probed, e.g. when the
  // proxy is disabled) and probes each at once. CA files are read afresh.
  void apply(const std::vector<config::PlannedTarget>& targets, Millis jitter,
             MtuSchedule mtu = {});
  // Stops every loop; results of probes still in flight are dropped.
  void stop();

  std::size_t probes_in_flight() const;

  // Called on the io_context thread each time a target's timer fires, with how much later than
  // due it ran (LoopLag: the loop's lag, measured without a timer of its own while idle).
  using WakeObserver = std::function<void(std::chrono::steady_clock::duration late)>;
  void set_wake_observer(WakeObserver observer);

 private:
  // What the loops share. Coroutine frames hold it by shared_ptr, so frames that the
  // io_context destroys after the scheduler (at shutdown) still find their limiter.
  struct Shared;
  struct TargetRun;
  static boost::asio::awaitable<void> run_loop(std::shared_ptr<Shared> shared,
                                               std::shared_ptr<TargetRun> run);
  // Probes once; true when the decider wants the result confirmed.
  static boost::asio::awaitable<bool> probe_once(std::shared_ptr<Shared> shared,
                                                 std::shared_ptr<TargetRun> run, bool confirmation);
  static boost::asio::awaitable<void> compare_mtu(std::shared_ptr<Shared> shared,
                                                  std::shared_ptr<TargetRun> run);

  boost::asio::any_io_executor ex_;
  std::shared_ptr<Shared> shared_;
  std::vector<std::shared_ptr<TargetRun>> runs_;
};

}  // namespace proxywatch
