// Metrics for every probe; journal events on changes of outcome.
#include "daemon/probe_reporter.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/output/log.h"

namespace proxywatch {
namespace {

Event probe_event(const std::string& proxy, const config::PlannedTarget& target,
                  const ProbeResult& result, bool failing) {
  Event e{.id = failing ? message_ids::kProbeFailing : message_ids::kProbeRecovered};
  e.priority = failing ? Priority::kWarning : Priority::kNotice;
  e.message = failing
                  ? fmt::format("{} via {}: {}", target.name, proxy, result.diagnosis)
                  : fmt::format("{} via {} recovered: {}", target.name, proxy, result.diagnosis);
  e.proxy = proxy;
  e.target = target.name;
  e.outcome = std::string(to_string(result.outcome));
  if (result.phase) e.phase = std::string(to_string(*result.phase));
  e.duration_ms = static_cast<std::int64_t>(result.total.count() * 1000);
  return e;
}

}  // namespace

void ProbeReporter::report(const std::string& proxy, const config::PlannedTarget& target,
                           const ProbeResult& result) {
  metrics_.record_probe(proxy, target.name, result);
  auto it = last_.find(target.name);
  bool changed = it == last_.end() ? !result.ok() : it->second.outcome != result.outcome;
  if (changed) log_event(probe_event(proxy, target, result, !result.ok()));
  spdlog::debug("probe {} via {}: {} in {:.1f} ms", target.name, proxy, to_string(result.outcome),
                result.total.count() * 1000);
  last_[target.name] = Last{proxy, result.outcome};
}

void ProbeReporter::forget_all() {
  for (const auto& [name, last] : last_) metrics_.forget_target(last.proxy, name);
  last_.clear();
}

std::string ProbeReporter::summary(std::size_t planned_targets) const {
  std::size_t ok = 0;
  std::map<std::string_view, int> failing;
  for (const auto& [name, last] : last_) {
    if (last.outcome == Outcome::kOk) {
      ++ok;
    } else {
      ++failing[to_string(last.outcome)];
    }
  }
  std::string out =
      fmt::format("{} targets: {} ok, {} failing", planned_targets, ok, last_.size() - ok);
  if (!failing.empty()) {
    std::vector<std::string> parts;
    for (const auto& [outcome, count] : failing)
      parts.push_back(fmt::format("{} {}", count, outcome));
    out += fmt::format(" ({})", fmt::join(parts, ", "));
  }
  return out;
}

}  // namespace proxywatch
