// Two latencies of docs/benchmarks.md, run by hand:
//   latency_bench PROXYWATCH [PROBES] [CHANGES]
// 1. Timing accuracy: PROBES probes (default 100) through a DelayProxy holding the CONNECT
//    answer 20 ms and the ServerHello 30 ms, and as many undelayed; prints the median phases and
//    how far each delayed phase is from its undelayed twin plus the injected delay.
// 2. Proxy change to first probe: the daemon PROXYWATCH (one target, interval 1 h) watches a
//    proxy file; CHANGES times (default 20) the file is renamed over with the other of two
//    proxies, and the time from the rename to the new proxy's first request head is taken.
//    Prints the median and the range.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/delay_proxy.h"
#include "tests/support/local_port.h"
#include "tests/support/phase_timing.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_origin.h"
#include "tests/support/wait.h"

namespace {

using namespace proxywatch::testing;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

void timing_accuracy(std::size_t probes) {
  PhaseTiming t = measure_phase_timing(milliseconds(20), milliseconds(30), probes);
  std::printf("timing accuracy, median of %zu probes (%zu failed):\n", probes, t.failed);
  std::printf("  proxy_connect: %.3f ms delayed by 20 ms, %.3f ms undelayed: error %+.3f ms\n",
              t.proxy_connect * 1e3, t.baseline_proxy_connect * 1e3,
              (t.proxy_connect - t.baseline_proxy_connect - 0.020) * 1e3);
  std::printf("  tls_handshake: %.3f ms delayed by 30 ms, %.3f ms undelayed: error %+.3f ms\n",
              t.tls_handshake * 1e3, t.baseline_tls_handshake * 1e3,
              (t.tls_handshake - t.baseline_tls_handshake - 0.030) * 1e3);
}

std::string proxy_file_text(std::uint16_t port) {
  return "iprep_proxy { PROXY_HOST 127.0.0.1; PROXY_PORT " + std::to_string(port) + "; }\n";
}

// Milliseconds from each rename of the proxy file to the first request at the new proxy.
std::vector<double> proxy_change_latencies(const std::string& proxywatch, int changes) {
  TempDir dir("pw-latency");
  const CertificateAuthority& ca = shared_pki().ca;
  TlsOrigin origin;
  DelayProxy a({.upstream_port = origin.port()});
  DelayProxy b({.upstream_port = origin.port()});
  dir.write_file("iprep_proxy.conf", proxy_file_text(a.port()));
  std::filesystem::create_directories(dir.path() / "state");
  std::string d = dir.path().string();
  dir.write_file("proxywatch.yaml",
                 "proxy_file: " + d + "/iprep_proxy.conf\nmetrics_listen: 127.0.0.1:" +
                     std::to_string(pick_free_port()) + "\ninterval: 1h\njitter: 1s\nstate_dir: " +
                     d + "/state\nmtu_probe: {enabled: false}\ntargets:\n  - {name: t, host: " +
                     "origin.test, port: " + std::to_string(origin.port()) + ", ca_file: \"" +
                     ca.cert_file.string() + "\"}\n");
  ChildProcess daemon(
      {proxywatch, "daemon", "--config", d + "/proxywatch.yaml", "--log-target", "stderr"},
      dir.path() / "daemon.log");
  if (!wait_until([&] { return !a.request_times().empty(); }, milliseconds(30'000)))
    throw std::runtime_error("the daemon never probed through the first proxy:\n" + daemon.log());
  std::vector<double> latencies;
  for (int i = 0; i < changes; ++i) {
    DelayProxy& next = i % 2 == 0 ? b : a;
    std::size_t before = next.request_times().size();
    dir.write_file("iprep_proxy.conf.new", proxy_file_text(next.port()));
    std::filesystem::rename(dir.path() / "iprep_proxy.conf.new", dir.path() / "iprep_proxy.conf");
    Clock::time_point changed = Clock::now();
    if (!wait_until([&] { return next.request_times().size() > before; }, milliseconds(10'000),
                    milliseconds(1)))
      throw std::runtime_error("no probe through the new proxy within 10 s:\n" + daemon.log());
    latencies.push_back(
        std::chrono::duration<double, std::milli>(next.request_times()[before] - changed).count());
  }
  return latencies;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: latency_bench PROXYWATCH [PROBES] [CHANGES]\n");
    return 2;
  }
  std::size_t probes = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 100;
  int changes = argc > 3 ? std::atoi(argv[3]) : 20;
  try {
    timing_accuracy(probes);
    std::vector<double> ms = proxy_change_latencies(argv[1], changes);
    std::sort(ms.begin(), ms.end());
    std::printf(
        "proxy file change to first probe through the new proxy, %d changes: median "
        "%.1f ms (%.1f to %.1f ms)\n",
        changes, ms[ms.size() / 2], ms.front(), ms.back());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "latency_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
