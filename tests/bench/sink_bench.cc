// CPU cost of what the daemon does with a finished probe besides probing: the metric series
// (Metrics::record_probe) and the tracker (Tracker::record with its rules), per probe, on one
// thread. Run by hand; figures in docs/benchmarks.md.
//   sink_bench [N]   (default 20000 records per case)
#include <time.h>

#include <cstdio>
#include <cstdlib>

#include "common/history/tracker.h"
#include "common/output/metrics.h"
#include "tests/support/results.h"

namespace {

using namespace proxywatch;

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

template <class F>
double micros_per_call(int n, F&& f) {
  f(0);  // creates series and windows
  double start = thread_cpu_seconds();
  for (int i = 1; i <= n; ++i) f(i);
  return (thread_cpu_seconds() - start) * 1e6 / n;
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 20'000;
  if (n <= 0) n = 20'000;
  ProbeResult ok = testing::result(Outcome::kOk);
  ok.tcp_after_connect = TcpInfo{.rtt_us = 1500, .snd_mss = 1448, .rcv_mss = 536, .pmtu = 1500};
  ok.tls.version = "TLSv1.3";
  ok.tls.issuer = "CN=Test CA";
  Metrics metrics;
  double record = micros_per_call(n, [&](int) { metrics.record_probe("10.0.0.1:80", "t", ok); });
  std::printf("metrics record_probe: %.2f us per probe\n", record);
  Tracker tracker{HealthSettings{}};
  WallTime now = std::chrono::system_clock::now();
  double track =
      micros_per_call(n, [&](int i) { tracker.record(ok, now + std::chrono::seconds(i)); });
  std::printf("tracker record:       %.2f us per probe\n", track);
  return 0;
}
