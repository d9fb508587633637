// CPU cost of what the daemon does with a finished probe besides probing: the metric series
// (Metrics::record_probe) and the tracker (Tracker::record with its rules), per probe, on one
// thread; and the state file of many pairs. Run by hand; figures in docs/benchmarks.md.
//   sink_bench [N]              (default 20000 records per case)
//   sink_bench --state P DIR    P pairs with full windows (20 probes): prints the milliseconds
//                               of one save (JSON text + atomic write into DIR, median of 5)
//                               and the file's size in bytes
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "common/output/store/state_file.h"

#include "common/history/tracker.h"
#include "common/output/metrics/metrics.h"
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

// The daemon's save_state() for `pairs` pairs, each a full default window of ok probes.
int bench_state(int pairs, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  ProbeResult ok = testing::result(Outcome::kOk);
  WallTime now = std::chrono::system_clock::now();
  HealthSettings settings;
  std::vector<PairState> state;
  for (int p = 0; p < pairs; ++p) {
    Tracker tracker{settings};
    for (std::uint32_t i = 0; i < settings.window_probes; ++i)
      tracker.record(ok, now + std::chrono::seconds(i));
    state.push_back(PairState{"127.0.0.1:3128", "t" + std::to_string(p), tracker.history()});
  }
  const std::string path = (dir / kStateFileName).string();
  std::vector<double> ms;
  std::size_t bytes = 0;
  for (int run = 0; run < 5; ++run) {
    auto start = std::chrono::steady_clock::now();
    std::string text = state_to_json(state, now);
    if (!write_state_file(path, text)) return 1;
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
    bytes = text.size();
  }
  std::sort(ms.begin(), ms.end());
  std::printf("%.1f %zu\n", ms[ms.size() / 2], bytes);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--state")
    return bench_state(std::atoi(argv[2]), argv[3]);
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
