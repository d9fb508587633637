// Per-target probe loops. Each loop owns a TargetRun (shared with the scheduler) whose
// `stopped` flag ends it at its next await point. A probe in flight is not cancelled: it ends
// within its own deadlines and its result is dropped. (Asio 1.81's co_spawn cancellation
// handler can fire after the coroutine has finished and touch freed state, so per-operation
// cancellation through co_spawn is avoided; the daemon's stop ends everything by stopping the
// io_context.)
#include "daemon/scheduler.h"

#include <algorithm>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include "common/capture/packet_capture.h"
#include "common/local_errors.h"
#include "common/probe/probe.h"

namespace proxywatch {

namespace asio = boost::asio;

struct Scheduler::Shared {
  Shared(const asio::any_io_executor& ex, std::size_t max_concurrent, Sink s, ErrorSink e,
         MtuSink m, PacketCapture* c)
      : limiter(ex, max_concurrent),
        sink(std::move(s)),
        error_sink(std::move(e)),
        mtu_sink(std::move(m)),
        capture(c),
        rng(std::random_device{}()) {}
  ConcurrencyLimiter limiter;
  TlsContexts tls;
  Sink sink;
  ErrorSink error_sink;
  MtuSink mtu_sink;
  PacketCapture* capture;  // nullptr: probes are not captured
  Millis jitter{0};
  MtuSchedule mtu;
  std::mt19937_64 rng;
  WakeObserver on_wake;
  std::vector<Millis> confirm_delays;
  ConfirmDecider confirm;
};

struct Scheduler::TargetRun {
  TargetRun(const asio::any_io_executor& ex, config::PlannedTarget t)
      : target(std::move(t)), timer(ex), slot_wait(std::make_shared<asio::steady_timer>(ex)) {}
  config::PlannedTarget target;
  asio::steady_timer timer;
  std::shared_ptr<asio::steady_timer> slot_wait;  // parks this loop in the limiter's queue
  bool stopped = false;
};

namespace {

// A probe that ended local_error: counted, logged once per episode, and true so that the caller
// drops it — it says nothing about the pair (common/local_errors.h).
bool local_failure(const config::PlannedTarget& target, const ProbeResult& result) {
  if (result.outcome != Outcome::kLocalError) return false;
  LocalReason reason = result.local_reason.value_or(LocalReason::kEmfile);
  if (count_local_error(reason)) {
    spdlog::warn("target {}: {} (reason {}; logged once until {} s pass without one)", target.name,
                 result.diagnosis, to_string(reason), kLocalErrorEpisodeGap.count());
  }
  return true;
}

}  // namespace

SteadyTime next_due(SteadyTime started, Millis interval, Millis jitter, std::mt19937_64& rng) {
  Millis offset{0};
  if (jitter.count() > 0) {
    std::uniform_int_distribution<Millis::rep> dist(-jitter.count(), jitter.count());
    offset = Millis(dist(rng));
  }
  return started + std::max(interval + offset, interval / 2);
}

Scheduler::Scheduler(asio::any_io_executor ex, std::size_t max_concurrent, Sink sink,
                     ErrorSink error_sink, MtuSink mtu_sink, PacketCapture* capture)
    : ex_(std::move(ex)),
      shared_(std::make_shared<Shared>(ex_, max_concurrent, std::move(sink), std::move(error_sink),
                                       std::move(mtu_sink), capture)) {}

Scheduler::~Scheduler() {
  stop();
}

void Scheduler::apply(const std::vector<config::PlannedTarget>& targets, Millis jitter,
                      MtuSchedule mtu) {
  stop();
  shared_->tls.clear();
  shared_->jitter = jitter;
  shared_->mtu = mtu;
  for (const auto& target : targets) {
    // Load CA stores now, not inside the first probe's timing (the system store takes ~100 ms);
    // a failure is reported when the probe is due.
    (void)shared_->tls.get(target.spec.ca_file);
    auto run = std::make_shared<TargetRun>(ex_, target);
    runs_.push_back(run);
    asio::co_spawn(ex_, run_loop(shared_, run), asio::detached);
  }
}

void Scheduler::stop() {
  for (auto& run : runs_) {
    run->stopped = true;
    run->timer.cancel();
    // A loop waiting for a probe slot leaves the queue now, not when a slot frees up.
    shared_->limiter.withdraw(run->slot_wait);
  }
  runs_.clear();
}

std::size_t Scheduler::probes_in_flight() const {
  return shared_->limiter.in_use();
}

void Scheduler::set_confirmation(std::vector<Millis> delays, ConfirmDecider decide) {
  shared_->confirm_delays = std::move(delays);
  shared_->confirm = std::move(decide);
}

void Scheduler::set_wake_observer(WakeObserver observer) {
  shared_->on_wake = std::move(observer);
}

asio::awaitable<void> Scheduler::run_loop(std::shared_ptr<Shared> shared,
                                          std::shared_ptr<TargetRun> run) {
  SteadyTime due = std::chrono::steady_clock::now();
  SteadyTime regular_due = due;
  std::size_t confirmations = 0;  // made since the last regular probe
  bool confirming = false;        // the probe due next is a confirmation
  // The first comparison follows the first probe; negative probes never get one.
  std::optional<SteadyTime> mtu_due;
  // The MTU comparison needs a TLS handshake through a tunnel: not for a negative probe, not for
  // a plain-HTTP target.
  const ProbeSpec& spec = run->target.spec;
  if (shared->mtu.enabled && shared->mtu_sink && !spec.expect_denied && !spec.plain_http()) {
    mtu_due = due;
  }
  while (!run->stopped) {
    run->timer.expires_at(due);
    co_await run->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (run->stopped) break;
    SteadyTime started = std::chrono::steady_clock::now();
    if (shared->on_wake) shared->on_wake(started - due);
    const bool unsettled = co_await probe_once(shared, run, confirming);
    // Confirmations do not move the regular cadence.
    if (!confirming)
      regular_due = next_due(started, run->target.interval, shared->jitter, shared->rng);
    due = regular_due;
    confirming = false;
    if (unsettled && confirmations < shared->confirm_delays.size()) {
      SteadyTime soon = std::chrono::steady_clock::now() + shared->confirm_delays[confirmations];
      // One due after the next regular probe would only delay it: the regular probe confirms.
      if (soon < regular_due) {
        due = soon;
        confirming = true;
        ++confirmations;
      }
    }
    if (!confirming) confirmations = 0;
    // An MTU comparison (three probes) waits until the verdict is settled.
    if (confirming || !mtu_due || run->stopped || std::chrono::steady_clock::now() < *mtu_due) {
      continue;
    }
    co_await compare_mtu(shared, run);
    mtu_due = std::chrono::steady_clock::now() + shared->mtu.interval;
  }
}

asio::awaitable<bool> Scheduler::probe_once(std::shared_ptr<Shared> shared,
                                            std::shared_ptr<TargetRun> run, bool confirmation) {
  bool acquired = co_await shared->limiter.acquire(run->slot_wait);
  if (!acquired) co_return false;
  SlotGuard slot(shared->limiter);
  if (run->stopped) co_return false;
  auto tls = shared->tls.get(run->target.spec.ca_file);
  if (!tls) {
    shared->error_sink(run->target, tls.error().to_string());
    co_return false;
  }
  std::unique_ptr<ProbeCapture> probe;
  if (shared->capture) probe = shared->capture->start_probe();
  ProbeResult result = co_await run_probe(run->target.spec, *tls, probe.get());
  result.confirmation = confirmation;
  // The probe's timing ended with run_probe: waiting for its last packets (a FIN, an RST) is
  // not part of it.
  std::optional<ProbePackets> packets;
  if (probe) packets = co_await shared->capture->finish(*probe);
  if (local_failure(run->target, result)) co_return false;
  // A probe of a plan that was replaced meanwhile says nothing about the current one.
  if (run->stopped) co_return false;
  shared->sink(run->target, result, packets ? &*packets : nullptr);
  co_return shared->confirm && !run->stopped && shared->confirm(run->target);
}

asio::awaitable<void> Scheduler::compare_mtu(std::shared_ptr<Shared> shared,
                                             std::shared_ptr<TargetRun> run) {
  bool acquired = co_await shared->limiter.acquire(run->slot_wait);
  if (!acquired) co_return;
  SlotGuard slot(shared->limiter);
  if (run->stopped) co_return;
  auto tls = shared->tls.get(run->target.spec.ca_file);
  auto padded = shared->tls.get(run->target.spec.ca_file, ClientHelloPadding::kPadded);
  if (!tls || !padded) co_return;  // probe_once reports it
  // One capture watches the three probes: one file shows the normal, clamped and padded
  // handshakes side by side.
  std::unique_ptr<ProbeCapture> probe;
  if (shared->capture) probe = shared->capture->start_probe();
  MtuTaps taps{.normal = probe.get(), .clamped = probe.get(), .padded = probe.get()};
  MtuReport report = co_await run_mtu_comparison(run->target.spec, *tls, *padded, taps);
  std::optional<ProbePackets> packets;
  if (probe) packets = co_await shared->capture->finish(*probe);
  // A comparison with a probe that could not even open its socket compares nothing.
  if (local_failure(run->target, report.normal) || local_failure(run->target, report.clamped) ||
      local_failure(run->target, report.padded)) {
    co_return;
  }
  if (!run->stopped) shared->mtu_sink(run->target, report, packets ? &*packets : nullptr);
}

}  // namespace proxywatch
