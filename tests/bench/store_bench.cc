// What the probe store costs (docs/benchmarks.md, "The history in SQLite"). Run by hand and by
// scripts/bench.sh; each mode prints one line.
//   store_bench write P DIR     P pairs probed every 60 s, 10 simulated minutes written as the
//                               daemon's writer does (a batch a second: the probes of that
//                               second and the tracker states of their pairs): prints the CPU
//                               µs per probe, amortised, and the share of one core at P pairs
//   store_bench month DIR       one pair probed every 60 s for 30 days (1 % failures), written a
//                               probe per batch: prints the database's bytes
//   store_bench restore P DIR   P pairs' tracker states and an hour of their probes at 60 s:
//                               prints the milliseconds of opening the database (quick_check
//                               included) and reading every state with its window rebuilt
//                               from the probes, median of 3
//   store_bench states P DIR    prints the milliseconds of writing P pairs' states in one batch
//                               (what state.json's save of P pairs was), median of 5
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "common/history/tracker.h"
#include "common/output/store/probe_store.h"
#include "tests/support/results.h"

namespace {

using namespace proxywatch;
namespace fs = std::filesystem;
using std::chrono::seconds;

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// A probe as a healthy tunnel with a request leaves it: every phase, TLS, TCP_INFO.
ProbeResult typical_probe(bool failed) {
  ProbeResult r = failed ? testing::result(Outcome::kProxyStalled, Phase::kProxyConnect)
                         : testing::result(Outcome::kOk);
  r.phases = {Seconds(0.0012), Seconds(0.0031), Seconds(0.0420),
              Seconds(0.0870), Seconds(0.1330), Seconds(0.0150)};
  r.connect_status = failed ? 0 : 200;
  r.http_status = failed ? 0 : 204;
  r.tls.version = "TLSv1.3";
  r.tls.issuer = "CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1,O=DigiCert Inc,C=US";
  r.tcp_at_end = TcpInfo{.rtt_us = 41'200,
                         .rttvar_us = 3'100,
                         .retransmits = 0,
                         .snd_mss = 1448,
                         .rcv_mss = 1448,
                         .pmtu = 1500};
  if (failed) r.diagnosis = "the proxy accepted the connection but never answered the CONNECT";
  return r;
}

PairState full_state(const std::string& target, WallTime now) {
  Tracker tracker{HealthSettings{}};
  for (std::uint32_t i = 0; i < HealthSettings{}.window_probes; ++i) {
    tracker.record(typical_probe(false), now + seconds(i));
  }
  return PairState{"10.0.0.1:3128", target, tracker.history()};
}

std::unique_ptr<ProbeStore> fresh(const fs::path& dir) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto opened = ProbeStore::open((dir / kProbeStoreFileName).string(), WallTime{});
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().to_string().c_str());
    std::exit(1);
  }
  return std::move(opened->store);
}

int bench_write(int pairs, const fs::path& dir) {
  auto store = fresh(dir);
  WallTime t0 = std::chrono::system_clock::now();
  std::vector<PairState> states;
  for (int p = 0; p < pairs; ++p) states.push_back(full_state("t" + std::to_string(p), t0));
  ProbeResult ok = typical_probe(false);
  std::size_t probes = 0;
  double cpu = 0;
  for (int second = 0; second < 600; ++second) {
    StoreBatch batch;
    // The pairs due this second: p with p % 60 == second % 60.
    for (int p = second % 60; p < pairs; p += 60) {
      std::string target = "t" + std::to_string(p);
      batch.probes.push_back(make_probe_record("10.0.0.1:3128", target, Service::kLicensing, ok,
                                               t0 + seconds(second)));
      batch.states.push_back(states[static_cast<std::size_t>(p)]);
    }
    probes += batch.probes.size();
    double start = thread_cpu_seconds();
    if (!store->write(batch)) return 1;
    cpu += thread_cpu_seconds() - start;
  }
  double us = cpu * 1e6 / static_cast<double>(probes);
  std::printf("%.1f µs per probe, %.2f %% of a core at %d pairs every 60 s\n", us,
              us * pairs / 60.0 / 1e4, pairs);
  return 0;
}

int bench_month(const fs::path& dir) {
  auto store = fresh(dir);
  WallTime t0 = std::chrono::system_clock::now();
  for (int i = 0; i < 30 * 24 * 60; ++i) {
    StoreBatch batch;
    batch.probes.push_back(make_probe_record("10.0.0.1:3128", "tools.cisco.com:443",
                                             Service::kUpdates, typical_probe(i % 100 == 0),
                                             t0 + seconds(60 * i)));
    if (!store->write(batch)) return 1;
  }
  store.reset();  // the last connection's close checkpoints the WAL into the file
  std::printf("%ju bytes for 43200 probes (30 days at 60 s)\n",
              static_cast<std::uintmax_t>(fs::file_size(dir / kProbeStoreFileName)));
  return 0;
}

int bench_restore(int pairs, const fs::path& dir) {
  const WallTime t0 = std::chrono::system_clock::now();
  {
    auto store = fresh(dir);
    ProbeResult ok = typical_probe(false);
    for (int minute = 0; minute < 60; ++minute) {
      StoreBatch batch;
      for (int p = 0; p < pairs; ++p) {
        batch.probes.push_back(make_probe_record("10.0.0.1:3128", "t" + std::to_string(p),
                                                 Service::kLicensing, ok,
                                                 t0 + seconds(60 * minute)));
      }
      if (!store->write(batch)) return 1;
    }
    StoreBatch states;
    for (int p = 0; p < pairs; ++p)
      states.states.push_back(full_state("t" + std::to_string(p), t0));
    if (!store->write(states)) return 1;
  }
  std::vector<double> ms;
  for (int run = 0; run < 3; ++run) {
    auto start = std::chrono::steady_clock::now();
    auto opened = ProbeStore::open((dir / kProbeStoreFileName).string(), WallTime{});
    if (!opened || opened->warning) return 1;
    auto states = opened->store->pair_states(HealthSettings{}, t0 + std::chrono::hours(1));
    if (!states || states->size() != static_cast<std::size_t>(pairs)) return 1;
    ms.push_back(ms_since(start));
  }
  std::sort(ms.begin(), ms.end());
  std::printf("%.0f ms to open (quick_check) and restore %d pairs (database %.0f MiB)\n", ms[1],
              pairs, static_cast<double>(fs::file_size(dir / kProbeStoreFileName)) / (1 << 20));
  return 0;
}

int bench_states(int pairs, const fs::path& dir) {
  auto store = fresh(dir);
  WallTime t0 = std::chrono::system_clock::now();
  StoreBatch batch;
  for (int p = 0; p < pairs; ++p) batch.states.push_back(full_state("t" + std::to_string(p), t0));
  std::vector<double> ms;
  for (int run = 0; run < 5; ++run) {
    auto start = std::chrono::steady_clock::now();
    if (!store->write(batch)) return 1;
    ms.push_back(ms_since(start));
  }
  std::sort(ms.begin(), ms.end());
  std::printf("%.1f\n", ms[2]);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 3 && args[0] == "write")
    return bench_write(std::atoi(args[1].c_str()), args[2]);
  if (args.size() == 2 && args[0] == "month") return bench_month(args[1]);
  if (args.size() == 3 && args[0] == "restore") {
    return bench_restore(std::atoi(args[1].c_str()), args[2]);
  }
  if (args.size() == 3 && args[0] == "states") {
    return bench_states(std::atoi(args[1].c_str()), args[2]);
  }
  std::fprintf(stderr,
               "usage: store_bench write PAIRS DIR | month DIR | restore PAIRS DIR | states PAIRS "
               "DIR\n");
  return 2;
}
