// The probe's reported phases carry the delays a proxy and an origin really cause: a DelayProxy
// holds the CONNECT answer 40 ms and the ServerHello 60 ms. The bound is generous (the machine
// may be loaded); latency_bench reports the precise medians (docs/benchmarks.md).
#include "tests/support/phase_timing.h"

#include <gtest/gtest.h>

namespace proxywatch::testing {
namespace {

using std::chrono::milliseconds;

TEST(PhaseTimingTest, PhasesCarryTheInjectedDelays) {
  PhaseTiming t = measure_phase_timing(milliseconds(40), milliseconds(60), 7);
  EXPECT_EQ(t.failed, 0u);
  // Each delayed phase exceeds its undelayed twin by the injected delay, give or take 30 ms.
  EXPECT_NEAR(t.proxy_connect - t.baseline_proxy_connect, 0.040, 0.030);
  EXPECT_NEAR(t.tls_handshake - t.baseline_tls_handshake, 0.060, 0.030);
  // A delay is never reported shorter than it was.
  EXPECT_GE(t.proxy_connect, 0.040);
  EXPECT_GE(t.tls_handshake, 0.060);
}

}  // namespace
}  // namespace proxywatch::testing
