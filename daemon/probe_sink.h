// Where a finished probe goes first in the daemon: its per-probe metric series, and a journal
// event when its outcome differs from the previous probe's of the same target (a healthy proxy
// produces no log flood). This is a record of single probes, never a verdict: whether a target
// is healthy or failing is the tracker's (TrackerSink), which STATUS=, the health events and
// the status page read.
#pragma once

#include <map>
#include <string>

#include "common/output/metrics/metrics.h"
#include "common/probe_result.h"

namespace proxywatch {

class ProbeSink {
 public:
  explicit ProbeSink(Metrics& metrics) : metrics_(metrics) {}

  // Records `result` of probing `target` through `proxy` ("host:port"): metrics always, the
  // probe_outcome_changed event when the outcome is not the previous probe's (the first probe
  // only when it failed). `capture_file`: the path of the capture written of this probe, if any
  // (the event's CAPTURE_FILE).
  void record(const std::string& proxy, const std::string& target, const ProbeResult& result,
              const std::string& capture_file = {});

  // Forgets every target's last outcome and drops its metric series (the plan changed).
  void forget_all();

 private:
  struct Last {
    std::string proxy;
    Outcome outcome;
  };
  Metrics& metrics_;
  std::map<std::string, Last> last_;  // by target name
};

}  // namespace proxywatch
