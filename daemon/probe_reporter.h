// Where a finished probe goes in the daemon: the metrics, and the journal when a target's
// outcome changes (a healthy proxy produces no log flood: success is logged only as a
// recovery). Also keeps each target's last outcome for the STATUS= line.
#pragma once

#include <map>
#include <string>

#include "common/output/metrics.h"
#include "common/probe_result.h"
#include "config/plan.h"

namespace proxywatch {

class ProbeReporter {
 public:
  explicit ProbeReporter(Metrics& metrics) : metrics_(metrics) {}

  // Records `result` of probing `target` through `proxy` ("host:port").
  void report(const std::string& proxy, const config::PlannedTarget& target,
              const ProbeResult& result);
  // Drops every target's state and metric series (the plan changed).
  void forget_all();

  // "2 targets: 1 ok, 1 failing (proxy_denied)", or "" before any probe.
  std::string summary(std::size_t planned_targets) const;

 private:
  struct Last {
    std::string proxy;
    Outcome outcome;
  };
  Metrics& metrics_;
  std::map<std::string, Last> last_;  // by target name
};

}  // namespace proxywatch
