// Registry changes turned into journal events and metric updates.
#include "daemon/tracker_sink.h"

#include <fmt/format.h>

#include "common/history/health_rules.h"
#include "common/output/log/log.h"

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

// Puts the FMC feature at risk before a health event's sentence ("Security Intelligence feed
// downloads: failing — proxy_denied on http://…; si via proxy:3128: health …") and adds SERVICE.
void add_feature(Event& e, const TrackerSink::TargetFeature& feature, const PairHistory& h) {
  std::string line = fmt::format("{}: {}", feature_name(feature.service), to_string(h.health));
  bool at_risk = h.health == HealthState::kFailing || h.health == HealthState::kDegraded;
  if (at_risk && !h.window.empty()) {
    line += fmt::format(" — {} on {}", to_string(h.window.samples().back().outcome),
                        feature.destination);
  }
  e.message = line + "; " + e.message;
  add_field(e, "SERVICE", std::string(to_string(feature.service)));
}

}  // namespace

TrackerChanges TrackerSink::record(const std::string& proxy, const std::string& target,
                                   const std::string& expect_issuer, const ProbeResult& result,
                                   WallTime now, const CaptureFor& capture) {
  PairKey key{proxy, target};
  TrackerChanges changes = registry_.record(key, expect_issuer, result, now);
  publish(key, changes, capture ? capture(changes) : std::string());
  return changes;
}

TrackerChanges TrackerSink::record_mtu(const std::string& proxy, const std::string& target,
                                       const MtuReport& report, WallTime now) {
  PairKey key{proxy, target};
  TrackerChanges changes = registry_.record_mtu(key, report, now);
  publish(key, changes);
  return changes;
}

std::vector<PairKey> TrackerSink::retain(const std::string& proxy,
                                         const std::vector<std::string>& targets) {
  std::vector<PairKey> dropped = registry_.retain(proxy, targets);
  metrics_.forget_pairs(dropped);
  return dropped;
}

void TrackerSink::restore(std::vector<PairState> pairs, WallTime now) {
  metrics_.forget_pairs(registry_.restore(std::move(pairs), now));
  for (const auto& [key, t] : registry_.pairs())
    metrics_.update(key.first, key.second, t.history());
}

void TrackerSink::publish(const PairKey& key, const TrackerChanges& changes,
                          const std::string& capture_file) {
  const Tracker& t = *registry_.find(key);
  auto feature = features_.find(key.second);
  if (changes.health_from) {
    Event e = health_event(key.first, key.second, t, *changes.health_from);
    if (feature != features_.end()) add_feature(e, feature->second, t.history());
    add_field(e, "CAPTURE_FILE", capture_file);
    log_event(e);
  }
  for (const DiagnosisChange& d : changes.diagnoses) {
    Event e = diagnosis_event(key.first, key.second, d);
    if (feature != features_.end()) {
      add_field(e, "SERVICE", std::string(to_string(feature->second.service)));
    }
    log_event(e);
  }
  metrics_.update(key.first, key.second, t.history());
}

}  // namespace proxywatch
