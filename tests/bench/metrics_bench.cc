// What the metrics cost per target, apart from the probes (docs/benchmarks.md, "The cost per
// target"): N pairs' probe and tracker series in the lean set (or the one named), the heap they
// take (mallinfo2, after malloc_trim) and one scrape's time, size and peak heap, plain and
// through zlib's gzip as the listener sends it.
//
//   metrics_bench [N] [lean|full] [histograms]
#include <malloc.h>
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/output/metrics/metrics.h"
#include "common/output/metrics/tracker_metrics.h"
#include "tests/unit/output/metrics/metrics_text.h"

namespace {

using namespace proxywatch;
using BenchClock = std::chrono::steady_clock;

double heap_mib() {
  ::malloc_trim(0);
  const struct mallinfo2 info = ::mallinfo2();
  return static_cast<double>(info.uordblks) / (1 << 20);
}

double ms_since(BenchClock::time_point start) {
  return std::chrono::duration<double, std::milli>(BenchClock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 10'000;
  MetricOptions options;
  if (argc > 2) options.series = series_set_from(argv[2]).value_or(SeriesSet::kLean);
  options.histograms = argc > 3 && std::string(argv[3]) == "histograms";
  const double before = heap_mib();
  Metrics metrics;
  metrics.set_options(options);
  TrackerMetrics tracker(metrics);
  ProbeResult probe = ok_result();
  for (std::size_t i = 0; i < kAllPhases.size(); ++i)
    probe.phases[i] = Seconds(0.001 * static_cast<double>(i + 1));
  PairHistory history;
  history.health = HealthState::kHealthy;
  const std::string proxy = "proxy.corp.example.com:3128";
  for (int i = 0; i < n; ++i) {
    const std::string target = "target-" + std::to_string(i) + ".example.com:443";
    metrics.set_probe_interval(proxy, target, std::chrono::seconds(60));
    metrics.set_target_info(proxy, target, "custom", target);
    metrics.set_phase_timeouts(proxy, target, PhaseTimeouts{});
    metrics.record_probe(proxy, target, probe);
    tracker.update(proxy, target, history);
  }
  const double kept = heap_mib() - before;

  // One scrape as text, then one through gzip (level 1, what the listener uses), keeping only
  // the compressed bytes.
  auto start = BenchClock::now();
  std::size_t plain = 0, lines = 0;
  metrics.write([&](std::string_view piece) {
    plain += piece.size();
    for (char c : piece) lines += c == '\n';
  });
  const double plain_ms = ms_since(start);
  z_stream z{};
  deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(1 << 16, '\0');
  std::size_t gzipped = 0;
  start = BenchClock::now();
  metrics.write([&](std::string_view piece) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(piece.data()));
    z.avail_in = static_cast<uInt>(piece.size());
    while (z.avail_in > 0) {
      z.next_out = reinterpret_cast<Bytef*>(out.data());
      z.avail_out = static_cast<uInt>(out.size());
      deflate(&z, Z_NO_FLUSH);
      gzipped += out.size() - z.avail_out;
    }
  });
  int status = Z_OK;
  while (status != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    status = deflate(&z, Z_FINISH);
    gzipped += out.size() - z.avail_out;
  }
  deflateEnd(&z);
  const double gzip_ms = ms_since(start);
  const struct mallinfo2 peak = ::mallinfo2();
  std::printf(
      "%d pairs (%s%s): %.2f MiB of heap, %.0f bytes a pair; scrape %zu lines, %.1f MiB in %.0f "
      "ms; gzip %.2f MiB in %.0f ms; heap at the end %.1f MiB (arena %.1f MiB)\n",
      n, std::string(to_string(options.series)).c_str(), options.histograms ? ", histograms" : "",
      kept, kept * (1 << 20) / n, lines, static_cast<double>(plain) / (1 << 20), plain_ms,
      static_cast<double>(gzipped) / (1 << 20), gzip_ms,
      static_cast<double>(peak.uordblks) / (1 << 20), static_cast<double>(peak.arena) / (1 << 20));
  return 0;
}
