// Fans the history stage's changes out: each change the PairRegistry reports for a finished
// probe or MTU comparison becomes journal events (health transitions, diagnoses raised and
// cleared, each with its evidence as fields) and the tracker's metric series. It decides
// nothing: the registry (common/history/pair_registry.h) is the one author of health. Not
// thread-safe: the io_context thread only.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/history/pair_registry.h"
#include "common/output/metrics/metrics.h"
#include "common/output/metrics/tracker_metrics.h"
#include "common/service.h"

namespace proxywatch {

class TrackerSink {
 public:
  // Shows `registry`'s pairs; registers the tracker's metric families on `metrics`' registry.
  TrackerSink(PairRegistry& registry, Metrics& metrics) : registry_(registry), metrics_(metrics) {}

  // Feeds a finished probe of `target` through `proxy` (finished at `now`) to the registry;
  // logs and exports what changed, and returns it (for the history). `expect_issuer`: the
  // target's pinned certificate issuer. `capture`, when given, is asked with the changes
  // before they are logged and answers the path of the capture kept of this probe ("": none),
  // which the health event carries as CAPTURE_FILE.
  using CaptureFor = std::function<std::string(const TrackerChanges&)>;
  TrackerChanges record(const std::string& proxy, const std::string& target,
                        const std::string& expect_issuer, const ProbeResult& result, WallTime now,
                        const CaptureFor& capture = {});
  // Feeds an MTU comparison the same way.
  TrackerChanges record_mtu(const std::string& proxy, const std::string& target,
                            const MtuReport& report, WallTime now);

  // What each target stands for, by name: its FMC feature and its destination (host:port or
  // URL). Health events of a target named here say which feature is at risk and carry SERVICE.
  struct TargetFeature {
    Service service = Service::kCustom;
    std::string destination;
  };
  void describe_targets(std::map<std::string, TargetFeature> targets) {
    features_ = std::move(targets);
  }

  // Drops (with their metric series) the pairs whose proxy is not `proxy` or whose target is
  // not in `targets`; returns their keys.
  std::vector<PairKey> retain(const std::string& proxy, const std::vector<std::string>& targets);

  // Replaces every pair with `pairs` (restored from disk) and exports them. Logs nothing:
  // these are not changes.
  void restore(std::vector<PairState> pairs, WallTime now);

 private:
  void publish(const PairKey& key, const TrackerChanges& changes,
               const std::string& capture_file = {});

  PairRegistry& registry_;
  TrackerMetrics metrics_;
  std::map<std::string, TargetFeature> features_;
};

}  // namespace proxywatch
