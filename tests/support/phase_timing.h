// Timing accuracy of the probe's phases: probes through a DelayProxy that holds the CONNECT
// answer and the ServerHello for known amounts, against a TLS origin, each phase compared with
// the same phase of undelayed probes. Shared by PhaseTimingTest (a generous bound, in ctest)
// and latency_bench (the precise medians in docs/benchmarks.md).
#pragma once

#include <chrono>
#include <cstddef>

namespace proxywatch::testing {

// The medians (seconds) over `probes` probes of proxy_connect and tls_handshake, delayed by
// connect_delay and server_hello_delay, and over as many undelayed probes. Probes that did not
// end ok are counted in `failed` and left out. Throws if the PKI or servers cannot start.
struct PhaseTiming {
  double proxy_connect = 0, tls_handshake = 0;                  // delayed
  double baseline_proxy_connect = 0, baseline_tls_handshake = 0;  // undelayed
  std::size_t failed = 0;
};
PhaseTiming measure_phase_timing(std::chrono::milliseconds connect_delay,
                                 std::chrono::milliseconds server_hello_delay,
                                 std::size_t probes);

}  // namespace proxywatch::testing
