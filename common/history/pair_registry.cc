// The registry of pairs: trackers by key, retention, restore and the summary line.
#include "common/history/pair_registry.h"

#include <algorithm>
#include <array>
#include <set>

#include <fmt/format.h>

namespace proxywatch {

void PairRegistry::set_settings(const HealthSettings& settings) {
  settings_ = settings;
  for (auto& [key, t] : trackers_) t.set_settings(settings);
}

TrackerChanges PairRegistry::record(const PairKey& key, const std::string& expect_issuer,
                                    const ProbeResult& result, WallTime now) {
  dirty_ = true;
  return tracker(key).record(result, now, expect_issuer);
}

TrackerChanges PairRegistry::record_mtu(const PairKey& key, const MtuReport& report, WallTime now) {
  dirty_ = true;
  return tracker(key).record_mtu(report, now);
}

std::vector<PairKey> PairRegistry::retain(const std::string& proxy,
                                          const std::vector<std::string>& targets) {
  std::vector<PairKey> dropped;
  for (auto it = trackers_.begin(); it != trackers_.end();) {
    bool keep = it->first.first == proxy &&
                std::find(targets.begin(), targets.end(), it->first.second) != targets.end();
    if (keep) {
      ++it;
      continue;
    }
    dropped.push_back(it->first);
    it = trackers_.erase(it);
    dirty_ = true;
  }
  return dropped;
}

std::vector<PairState> PairRegistry::snapshot() const {
  std::vector<PairState> out;
  out.reserve(trackers_.size());
  for (const auto& [key, t] : trackers_)
    out.push_back(PairState{key.first, key.second, t.history()});
  return out;
}

std::vector<PairKey> PairRegistry::restore(std::vector<PairState> pairs, WallTime now) {
  std::vector<PairKey> before;
  for (const auto& [key, t] : trackers_) before.push_back(key);
  trackers_.clear();
  for (PairState& p : pairs) {
    PairKey key{p.proxy, p.target};
    auto [it, inserted] = trackers_.insert_or_assign(key, Tracker(settings_, std::move(p.history)));
    it->second.prune(now);
  }
  return before;
}

const Tracker* PairRegistry::find(const PairKey& key) const {
  auto it = trackers_.find(key);
  return it == trackers_.end() ? nullptr : &it->second;
}

std::string PairRegistry::summary(const std::string& proxy,
                                  const std::vector<std::string>& targets) const {
  std::array<std::size_t, kAllHealthStates.size()> counts{};
  std::set<Diagnosis> active;
  for (const std::string& target : targets) {
    const Tracker* t = find(PairKey{proxy, target});
    HealthState state = t ? t->history().health : HealthState::kUnknown;
    ++counts[static_cast<std::size_t>(state)];
    if (t) {
      for (const auto& [d, since] : t->history().active) active.insert(d);
    }
  }
  std::string out =
      fmt::format("{} target{}: {} healthy", targets.size(), targets.size() == 1 ? "" : "s",
                  counts[static_cast<std::size_t>(HealthState::kHealthy)]);
  for (HealthState s : {HealthState::kDegraded, HealthState::kFailing, HealthState::kUnknown}) {
    std::size_t n = counts[static_cast<std::size_t>(s)];
    if (n > 0) out += fmt::format(", {} {}", n, to_string(s));
  }
  if (active.empty()) return out;
  std::vector<std::string_view> names;
  for (Diagnosis d : active) names.push_back(to_string(d));
  return out + fmt::format(" ({})", fmt::join(names, ", "));
}

Tracker& PairRegistry::tracker(const PairKey& key) {
  auto it = trackers_.find(key);
  if (it == trackers_.end()) it = trackers_.emplace(key, Tracker(settings_)).first;
  return it->second;
}

}  // namespace proxywatch
