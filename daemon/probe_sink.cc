// Metrics for every probe; a journal event on each change of outcome.
#include "daemon/probe_sink.h"

#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/output/log/log.h"

namespace proxywatch {
namespace {

Event outcome_event(const std::string& proxy, const std::string& target, const ProbeResult& result,
                    std::optional<Outcome> previous) {
  Event e{.id = message_ids::kProbeOutcomeChanged, .priority = Priority::kInfo};
  e.message = fmt::format("{} via {}: probe outcome {} -> {}: {}", target, proxy,
                          previous ? to_string(*previous) : "none", to_string(result.outcome),
                          result.diagnosis);
  e.proxy = proxy;
  e.target = target;
  e.outcome = std::string(to_string(result.outcome));
  if (result.phase) e.phase = std::string(to_string(*result.phase));
  e.duration_ms = static_cast<std::int64_t>(result.total.count() * 1000);
  if (previous) e.extra.push_back(Field{"PREVIOUS_OUTCOME", std::string(to_string(*previous))});
  return e;
}

}  // namespace

void ProbeSink::record(const std::string& proxy, const std::string& target,
                       const ProbeResult& result, const std::string& capture_file) {
  metrics_.record_probe(proxy, target, result);
  auto it = last_.find(target);
  std::optional<Outcome> previous;
  if (it != last_.end()) previous = it->second.outcome;
  bool changed = previous ? *previous != result.outcome : !result.ok();
  if (changed) {
    Event e = outcome_event(proxy, target, result, previous);
    if (!capture_file.empty()) e.extra.push_back(Field{"CAPTURE_FILE", capture_file});
    log_event(e);
  }
  spdlog::debug("probe {} via {}: {} in {:.1f} ms", target, proxy, to_string(result.outcome),
                result.total.count() * 1000);
  last_[target] = Last{proxy, result.outcome};
}

void ProbeSink::forget_all() {
  // By proxy, not pair by pair: removing 10,000 pairs' series one by one is quadratic.
  std::set<std::string> proxies;
  for (const auto& [name, last] : last_) proxies.insert(last.proxy);
  for (const std::string& proxy : proxies) metrics_.forget_proxy(proxy);
  last_.clear();
}

}  // namespace proxywatch
