// Where the daemon keeps every pair's Tracker: finished probes and MTU comparisons go in, and
// what changed comes out as journal events (health transitions, diagnoses raised and cleared,
// each with its evidence as fields) and as the tracker's metrics. It also hands the histories
// to the state file and takes them back after a restart. Not thread-safe: the io_context
// thread only.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/history/tracker.h"
#include "common/output/metrics.h"
#include "common/output/state_file.h"
#include "common/output/tracker_metrics.h"

namespace proxywatch {

class TrackerSink {
 public:
  // Registers the tracker's metric families on `metrics`' registry.
  explicit TrackerSink(Metrics& metrics) : metrics_(metrics.registry()) {}

  // Thresholds for every tracker, present and future.
  void set_settings(const HealthSettings& settings);

  // Feeds a finished probe of `target` through `proxy` (finished at `now`); logs and exports
  // what changed. `expect_issuer`: the target's pinned certificate issuer, empty for none.
  void record(const std::string& proxy, const std::string& target, const std::string& expect_issuer,
              const ProbeResult& result, WallTime now);
  // Feeds an MTU comparison the same way.
  void record_mtu(const std::string& proxy, const std::string& target, const MtuReport& report,
                  WallTime now);

  // Drops (with their metric series) the pairs whose proxy is not `proxy` or whose target is
  // not in `targets`.
  void retain(const std::string& proxy, const std::vector<std::string>& targets);

  // Every pair's history, for the state file.
  std::vector<PairState> snapshot() const;
  // Replaces every pair with `pairs` (from the state file), trimmed to the time window at
  // `now`, and exports them. Logs nothing: these are not changes.
  void restore(std::vector<PairState> pairs, WallTime now);

  // True when something changed since the last take_dirty(); clears the flag.
  bool take_dirty() { return std::exchange(dirty_, false); }

  // The tracker of (proxy, target), or nullptr.
  const Tracker* find(const std::string& proxy, const std::string& target) const;

  // The tracker's verdict on `targets` through `proxy` in one line, for STATUS= and the
  // journal: "3 targets: 2 healthy, 1 failing (acl_block)", "1 target: 1 healthy". Every state but
  // healthy is named only when some target is in it; a target without history is unknown; the
  // active diagnoses follow in parentheses.
  std::string summary(const std::string& proxy, const std::vector<std::string>& targets) const;

 private:
  using Key = std::pair<std::string, std::string>;
  Tracker& tracker(const Key& key);
  void publish(const Key& key, const Tracker& tracker, const TrackerChanges& changes);

  HealthSettings settings_;
  TrackerMetrics metrics_;
  std::map<Key, Tracker> trackers_;
  bool dirty_ = false;
};

}  // namespace proxywatch
