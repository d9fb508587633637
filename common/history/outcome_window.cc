// Counting over a pair's window.
#include "common/history/outcome_window.h"

namespace proxywatch {

double total_seconds(const Sample& sample) {
  double total = 0;
  for (const auto& d : sample.phase_seconds) total += d.value_or(0);
  return total;
}

bool at_least_percent(std::size_t part, std::size_t whole, double percent) {
  return static_cast<double>(part) * 100.0 >= percent * static_cast<double>(whole);
}

Sample make_sample(const ProbeResult& result, WallTime at) {
  Sample s{.at = at, .outcome = result.outcome, .phase = result.phase};
  s.reset = is_reset(result);
  s.confirmation = result.confirmation;
  for (std::size_t i = 0; i < kAllPhases.size(); ++i) {
    if (result.phases[i]) s.phase_seconds[i] = result.phases[i]->count();
  }
  return s;
}

void OutcomeWindow::add(const Sample& sample, const HealthSettings& settings) {
  samples_.push_back(sample);
  while (samples_.size() > settings.window_probes) samples_.pop_front();
  prune(sample.at, settings);
}

void OutcomeWindow::prune(WallTime now, const HealthSettings& settings) {
  while (!samples_.empty() && samples_.front().at + settings.window_duration < now) {
    samples_.pop_front();
  }
}

std::size_t OutcomeWindow::count(const Predicate& pred) const {
  std::size_t n = 0;
  for (const Sample& s : samples_) n += pred(s) ? 1 : 0;
  return n;
}

std::size_t OutcomeWindow::trailing(const Predicate& pred) const {
  std::size_t n = 0;
  for (auto it = samples_.rbegin(); it != samples_.rend() && pred(*it); ++it) ++n;
  return n;
}

double OutcomeWindow::ratio(const Predicate& pred) const {
  if (samples_.empty()) return 0;
  return static_cast<double>(count(pred)) / static_cast<double>(samples_.size());
}

std::size_t OutcomeWindow::changes() const {
  std::size_t n = 0;
  for (std::size_t i = 1; i < samples_.size(); ++i) {
    n += samples_[i].ok() != samples_[i - 1].ok() ? 1 : 0;
  }
  return n;
}

std::array<std::uint32_t, kAllPhases.size()> OutcomeWindow::by_phase(const Predicate& pred) const {
  std::array<std::uint32_t, kAllPhases.size()> counts{};
  for (const Sample& s : samples_) {
    if (s.phase && pred(s)) ++counts[static_cast<std::size_t>(*s.phase)];
  }
  return counts;
}

std::optional<double> OutcomeWindow::mean_seconds(Phase phase) const {
  double sum = 0;
  std::size_t n = 0;
  for (const Sample& s : samples_) {
    if (const auto& d = s.phase_seconds[static_cast<std::size_t>(phase)]) {
      sum += *d;
      ++n;
    }
  }
  if (n == 0) return std::nullopt;
  return sum / static_cast<double>(n);
}

}  // namespace proxywatch
