// Hand-made ProbeResults for unit tests of the stages that consume them (history, output,
// daemon sinks): an outcome, its failing phase and plausible phase durations, nothing else.
// Header-only and built on the vocabulary alone, so any stage's unit tests may use it.
#pragma once

#include <optional>

#include "common/mtu_report.h"
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

// The three probes of an inbound MTU problem, not yet concluded: the normal and the padded
// probe stalled in the TLS handshake (the padded one with 3 retransmits), the clamped one
// (MSS 524) passed.
inline MtuReport inbound_mtu_report() {
  MtuReport report;
  report.normal.outcome = Outcome::kTlsStalled;
  report.normal.phase = Phase::kTlsHandshake;
  report.normal.tcp_after_connect = TcpInfo{.snd_mss = 1448, .rcv_mss = 536, .pmtu = 1500};
  report.clamped.tcp_after_connect = TcpInfo{.snd_mss = 524, .rcv_mss = 524, .pmtu = 1500};
  report.padded = report.normal;
  report.padded.tcp_at_end = TcpInfo{.retransmits = 3, .snd_mss = 1448, .pmtu = 1500};
  return report;
}

}  // namespace proxywatch::testing
