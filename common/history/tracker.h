// The Tracker: the history of one (proxy, target) pair (DESIGN.md, "Over time"). Every
// finished probe goes in with the time it finished; out come the pair's health state (with
// hysteresis) and the named diagnoses the pattern rules raise and clear (health_rules.h,
// docs/diagnoses.md), each with its evidence. The MTU comparison feeds record_mtu(). Time is
// always a parameter, so tests drive it; the whole state is PairHistory, plain data the state
// file saves and restores. Not thread-safe; used on the daemon's one io_context thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/health.h"
#include "common/history/pair_history.h"
#include "common/mtu_report.h"
#include "common/probe_result.h"

namespace proxywatch {

// What one record call changed.
struct DiagnosisChange {
  Diagnosis diagnosis;
  bool raised = false;  // false: cleared
  Evidence evidence;    // for a clear: the evidence it was raised with, summary replaced
};
struct TrackerChanges {
  std::optional<HealthState> health_from;  // set when the state changed
  HealthState health = HealthState::kUnknown;
  std::vector<DiagnosisChange> diagnoses;
  bool health_changed() const { return health_from.has_value(); }
};

class Tracker {
 public:
  explicit Tracker(HealthSettings settings, PairHistory history = {})
      : settings_(settings), history_(std::move(history)) {}

  // Adds a probe that finished at `now`. `expect_issuer`: the pinned issuer of the origin's
  // certificate (empty: none); a presented issuer that neither equals nor contains it raises
  // inspection_interference, as does any tls_verify_failed.
  TrackerChanges record(const ProbeResult& result, WallTime now,
                        const std::string& expect_issuer = "");

  // Adds an MTU comparison that finished at `now`: inbound or outbound raises mtu_suspected
  // (re-raised when the direction changes), none clears it, inconclusive changes nothing.
  TrackerChanges record_mtu(const MtuReport& report, WallTime now);

  // Drops samples older than the time window (e.g. after a restart); health is kept.
  void prune(WallTime now) { history_.window.prune(now, settings_); }

  // New thresholds (a reload); the window is trimmed on the next record.
  void set_settings(const HealthSettings& settings) { settings_ = settings; }

  const PairHistory& history() const { return history_; }
  const HealthSettings& settings() const { return settings_; }
  bool active(Diagnosis d) const { return history_.active.contains(d); }

 private:
  void update_counters(const Sample& sample);
  HealthState next_health() const;
  void update_cert(const ProbeResult& result, const std::string& expect_issuer);
  void apply_rules(WallTime now, TrackerChanges& changes);
  void raise(Diagnosis d, Evidence evidence, WallTime now, TrackerChanges& changes);
  void clear(Diagnosis d, std::string why, TrackerChanges& changes);

  HealthSettings settings_;
  PairHistory history_;
};

}  // namespace proxywatch
