// The registry of every (proxy, target) pair's Tracker: the one place that holds the daemon's
// history and so the one author of health and diagnoses (DESIGN.md, "Over time"). Finished
// probes and MTU comparisons go in; what changed comes out as TrackerChanges for the sinks
// (journal, metrics, STATUS=) to show. It keeps the pairs' saved form (PairState), restores
// them after a restart and tallies health for a one-line summary. Plain data, time always a
// parameter, no I/O. Not thread-safe: the daemon's io_context thread only.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/history/tracker.h"

namespace proxywatch {

// The key of a pair: (proxy "host:port" or "none", target name).
using PairKey = std::pair<std::string, std::string>;

// One pair's history and whose it is: what persistence saves and restores.
struct PairState {
  std::string proxy;   // "host:port", as in metric labels
  std::string target;  // the target's name
  PairHistory history;
};

class PairRegistry {
 public:
  // Thresholds for every tracker, present and future.
  void set_settings(const HealthSettings& settings);
  const HealthSettings& settings() const { return settings_; }

  // Feeds a probe of `key` that finished at `now` (created on first use); returns what changed.
  // `expect_issuer`: the target's pinned certificate issuer, empty for none.
  TrackerChanges record(const PairKey& key, const std::string& expect_issuer,
                        const ProbeResult& result, WallTime now);
  // Feeds an MTU comparison the same way.
  TrackerChanges record_mtu(const PairKey& key, const MtuReport& report, WallTime now);

  // Drops the pairs whose proxy is not `proxy` or whose target is not in `targets`; returns
  // the keys dropped, so the sinks can drop what they show of them.
  std::vector<PairKey> retain(const std::string& proxy, const std::vector<std::string>& targets);

  // Every pair's history, for persistence.
  std::vector<PairState> snapshot() const;
  // Replaces every pair with `pairs`, each trimmed to the time window at `now`; returns the
  // keys that were there before (for the sinks to drop). Not a change: nothing is reported.
  std::vector<PairKey> restore(std::vector<PairState> pairs, WallTime now);

  // The tracker of `key`, or nullptr.
  const Tracker* find(const PairKey& key) const;
  // Every pair, ordered by key.
  const std::map<PairKey, Tracker>& pairs() const { return trackers_; }

  // True when something changed since the last take_dirty(); clears the flag.
  bool take_dirty() { return std::exchange(dirty_, false); }

  // The verdict on `targets` through `proxy` in one line, for STATUS= and the journal:
  // "3 targets: 2 healthy, 1 failing (acl_block)", "1 target: 1 healthy". Every state but
  // healthy is named only when some target is in it; a target without history is unknown;
  // the active diagnoses follow in parentheses.
  std::string summary(const std::string& proxy, const std::vector<std::string>& targets) const;

 private:
  Tracker& tracker(const PairKey& key);

  HealthSettings settings_;
  std::map<PairKey, Tracker> trackers_;
  bool dirty_ = false;
};

}  // namespace proxywatch
