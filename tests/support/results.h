// Hand-made ProbeResults for unit tests of the stages that consume them (history, output,
// daemon sinks): an outcome, its failing phase and plausible phase durations, nothing else.
// Header-only and built on the vocabulary alone, so any stage's unit tests may use it.
#pragma once

#include <optional>

#include "common/probe_result.h"

namespace proxywatch::testing {

// A result with `outcome` failing in `phase` (none for ok). tcp_connect took 2 ms; an ok
// result's TLS handshake took 10 ms.
inline ProbeResult result(Outcome outcome, std::optional<Phase> phase = std::nullopt) {
  ProbeResult r;
  r.outcome = outcome;
  r.phase = phase;
  r.phases[static_cast<std::size_t>(Phase::kTcpConnect)] = Seconds(0.002);
  if (outcome == Outcome::kOk)
    r.phases[static_cast<std::size_t>(Phase::kTlsHandshake)] = Seconds(0.01);
  return r;
}

}  // namespace proxywatch::testing
