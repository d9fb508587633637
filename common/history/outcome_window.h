// The sliding window of one (proxy, target) pair: the most recent probes, each reduced to what
// the health and pattern rules need (outcome, failing phase, reset, per-phase latencies), bounded
// both by count and by age. Plain data plus counting helpers; the caller supplies the time.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>

#include "common/health.h"
#include "common/outcome.h"
#include "common/probe_result.h"

namespace proxywatch {

using WallTime = std::chrono::system_clock::time_point;

// One probe as the window remembers it.
struct Sample {
  WallTime at;
  Outcome outcome = Outcome::kOk;
  std::optional<Phase> phase;  // the failing phase; empty for ok
  bool reset = false;          // is_reset() of the probe (common/probe_result.h)
  std::array<std::optional<double>, kAllPhases.size()> phase_seconds{};
  bool confirmation = false;  // a confirmation probe (ProbeResult::confirmation)

  bool ok() const { return outcome == Outcome::kOk; }
  bool stall() const { return is_stall(outcome); }
  friend bool operator==(const Sample&, const Sample&) = default;
};

// The sum of a sample's phase durations (seconds): how long the probe took until it ended.
double total_seconds(const Sample& sample);

// Whether `part` is at least `percent` percent of `whole` (exact, without rounding).
bool at_least_percent(std::size_t part, std::size_t whole, double percent);

// `result` reduced to a Sample stamped `at`.
Sample make_sample(const ProbeResult& result, WallTime at);

class OutcomeWindow {
 public:
  using Predicate = std::function<bool(const Sample&)>;

  // Appends `sample`, then drops the oldest beyond settings.window_probes and those older
  // than settings.window_duration before `sample.at`.
  void add(const Sample& sample, const HealthSettings& settings);
  // Appends `sample` without trimming (restoring a saved window; the next add() trims).
  void restore(const Sample& sample) { samples_.push_back(sample); }
  // Drops samples older than settings.window_duration before `now`.
  void prune(WallTime now, const HealthSettings& settings);

  const std::deque<Sample>& samples() const { return samples_; }
  std::size_t size() const { return samples_.size(); }
  bool empty() const { return samples_.empty(); }

  // How many samples satisfy `pred`.
  std::size_t count(const Predicate& pred) const;
  // How many of the newest samples in a row satisfy `pred` (0 when the newest does not).
  std::size_t trailing(const Predicate& pred) const;
  // count(pred) / size(), 0 for an empty window.
  double ratio(const Predicate& pred) const;
  // How often consecutive samples change between passing and failing.
  std::size_t changes() const;
  // Samples satisfying `pred`, counted by failing phase (index = Phase).
  std::array<std::uint32_t, kAllPhases.size()> by_phase(const Predicate& pred) const;
  // Mean duration of `phase` over the samples that ran it; nullopt when none did.
  std::optional<double> mean_seconds(Phase phase) const;

 private:
  std::deque<Sample> samples_;
};

}  // namespace proxywatch
