// Tracker changes turned into journal events and metric updates.
#include "daemon/tracker_sink.h"

#include <algorithm>
#include <array>
#include <set>

#include <fmt/format.h>

#include "common/history/health_rules.h"
#include "common/output/log.h"

namespace proxywatch {
namespace {

Priority health_priority(HealthState state) {
  switch (state) {
    case HealthState::kFailing:
    case HealthState::kDegraded:
      return Priority::kWarning;
    case HealthState::kHealthy:
      return Priority::kNotice;
    case HealthState::kUnknown:
      break;
  }
  return Priority::kInfo;
}

void add_field(Event& e, FieldName name, const std::string& value) {
  if (!value.empty()) e.extra.push_back(Field{name, value});
}

void add_evidence(Event& e, const Evidence& ev) {
  if (ev.window_probes > 0) {
    add_field(e, "WINDOW_PROBES", std::to_string(ev.window_probes));
    add_field(e, "MATCHING_PROBES", std::to_string(ev.matching_probes));
  }
  add_field(e, "OUTCOME_COUNTS", ev.outcomes);
  add_field(e, "PHASE_COUNTS", ev.phases);
  add_field(e, "CERT_SUBJECT", ev.cert_subject);
  add_field(e, "CERT_ISSUER", ev.cert_issuer);
  add_field(e, "EXPECTED_ISSUER", ev.expected_issuer);
  add_field(e, "VERIFY_ERROR", ev.verify_error);
  add_field(e, "MTU_DIRECTION", ev.mtu_direction);
  add_field(e, "MTU_DETAIL", ev.mtu_detail);
}

Event health_event(const std::string& proxy, const std::string& target, const Tracker& t,
                   HealthState from) {
  const PairHistory& h = t.history();
  Event e{.id = message_ids::kHealthChanged, .priority = health_priority(h.health)};
  e.message = fmt::format("{} via {}: health {} -> {} ({} failed in a row, window: {})", target,
                          proxy, to_string(from), to_string(h.health), h.consecutive_failures,
                          outcome_counts(h.window, [](const Sample&) { return true; }));
  e.proxy = proxy;
  e.target = target;
  if (!h.window.empty()) e.outcome = std::string(to_string(h.window.samples().back().outcome));
  add_field(e, "HEALTH", std::string(to_string(h.health)));
  add_field(e, "PREVIOUS_HEALTH", std::string(to_string(from)));
  add_field(e, "CONSECUTIVE_FAILURES", std::to_string(h.consecutive_failures));
  add_field(e, "WINDOW_PROBES", std::to_string(h.window.size()));
  return e;
}

Event diagnosis_event(const std::string& proxy, const std::string& target,
                      const DiagnosisChange& change) {
  Event e{.id = change.raised ? message_ids::kDiagnosisRaised : message_ids::kDiagnosisCleared,
          .priority = change.raised ? Priority::kWarning : Priority::kNotice};
  e.message = fmt::format("{} via {}: {} {}: {}", target, proxy, to_string(change.diagnosis),
                          change.raised ? "raised" : "cleared", change.evidence.summary);
  e.proxy = proxy;
  e.target = target;
  add_field(e, "DIAGNOSIS", std::string(to_string(change.diagnosis)));
  add_evidence(e, change.evidence);
  return e;
}

}  // namespace

void TrackerSink::set_settings(const HealthSettings& settings) {
  settings_ = settings;
  for (auto& [key, t] : trackers_) t.set_settings(settings);
}

void TrackerSink::record(const std::string& proxy, const std::string& target,
                         const std::string& expect_issuer, const ProbeResult& result,
                         WallTime now) {
  Key key{proxy, target};
  Tracker& t = tracker(key);
  publish(key, t, t.record(result, now, expect_issuer));
}

void TrackerSink::record_mtu(const std::string& proxy, const std::string& target,
                             const MtuReport& report, WallTime now) {
  Key key{proxy, target};
  Tracker& t = tracker(key);
  publish(key, t, t.record_mtu(report, now));
}

void TrackerSink::retain(const std::string& proxy, const std::vector<std::string>& targets) {
  for (auto it = trackers_.begin(); it != trackers_.end();) {
    bool keep = it->first.first == proxy &&
                std::find(targets.begin(), targets.end(), it->first.second) != targets.end();
    if (keep) {
      ++it;
      continue;
    }
    metrics_.forget(it->first.first, it->first.second);
    it = trackers_.erase(it);
    dirty_ = true;
  }
}

std::vector<PairState> TrackerSink::snapshot() const {
  std::vector<PairState> out;
  for (const auto& [key, t] : trackers_)
    out.push_back(PairState{key.first, key.second, t.history()});
  return out;
}

void TrackerSink::restore(std::vector<PairState> pairs, WallTime now) {
  for (const auto& [key, t] : trackers_) metrics_.forget(key.first, key.second);
  trackers_.clear();
  for (PairState& p : pairs) {
    Key key{p.proxy, p.target};
    auto [it, inserted] = trackers_.insert_or_assign(key, Tracker(settings_, std::move(p.history)));
    it->second.prune(now);
    metrics_.update(key.first, key.second, it->second.history());
  }
}

const Tracker* TrackerSink::find(const std::string& proxy, const std::string& target) const {
  auto it = trackers_.find(Key{proxy, target});
  return it == trackers_.end() ? nullptr : &it->second;
}

std::string TrackerSink::summary(const std::string& proxy,
                                 const std::vector<std::string>& targets) const {
  std::array<std::size_t, kAllHealthStates.size()> counts{};
  std::set<Diagnosis> active;
  for (const std::string& target : targets) {
    const Tracker* t = find(proxy, target);
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

Tracker& TrackerSink::tracker(const Key& key) {
  auto it = trackers_.find(key);
  if (it == trackers_.end()) it = trackers_.emplace(key, Tracker(settings_)).first;
  return it->second;
}

void TrackerSink::publish(const Key& key, const Tracker& t, const TrackerChanges& changes) {
  dirty_ = true;
  if (changes.health_from) log_event(health_event(key.first, key.second, t, *changes.health_from));
  for (const DiagnosisChange& d : changes.diagnoses) {
    log_event(diagnosis_event(key.first, key.second, d));
  }
  metrics_.update(key.first, key.second, t.history());
}

}  // namespace proxywatch
