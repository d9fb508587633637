// Time to serve the history page (`GET /history?target=origin&range=R`) from a probe log of
// 30 days at a 60 s interval: 43,200 probes of the target (one outage of 3 hours), and as many
// of a second target beside it. What is timed is the route's whole work per request — opening
// the database read-only, reading the chart points, intervals and the newest failures, the
// buckets and the HTML — as wall-clock time on one thread, the median of the runs; then the
// SQLite part of the 30-day page alone. Run by hand; figures in docs/benchmarks.md.
//   history_page_bench [RUNS]   (default 20 per range)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/output/status/history_chart.h"
#include "daemon/history_page_route.h"
#include "tests/support/history_fill.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace proxywatch;
using namespace std::chrono_literals;

double median_ms(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::atoi(argv[1]) : 20;
  if (runs <= 0) runs = 20;
  testing::TempDir dir("pw-history-bench");
  std::string db = (dir.path() / kProbeStoreFileName).string();
  WallTime now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  auto fill_start = std::chrono::steady_clock::now();
  for (std::string target : {"origin", "other"}) {
    testing::fill_history(db, {.target = target,
                               .end = now,
                               .span = 24h * 30,
                               .interval = 60s,
                               .outage_from = now - 24h * 3,
                               .outage_to = now - 24h * 3 + 3h});
  }
  double fill_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - fill_start).count();
  std::printf("probe log: 2 targets x 43200 probes, written in %.1f s\n", fill_s);
  std::printf("%-6s %10s %10s %10s\n", "range", "median ms", "max ms", "page KB");
  for (HistoryRange range : kAllHistoryRanges) {
    HttpQuery query("/history?target=origin&range=" + std::string(to_string(range)));
    std::vector<double> ms;
    std::size_t bytes = 0;
    for (int i = 0; i < runs; ++i) {
      auto start = std::chrono::steady_clock::now();
      HttpResponse r = history_page_response(db, now, query);
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count());
      if (r.status != 200) {
        std::fprintf(stderr, "status %u: %s\n", r.status, r.body.c_str());
        return 1;
      }
      bytes = r.body.size();
    }
    std::printf("%-6s %10.1f %10.1f %10.1f\n", std::string(to_string(range)).c_str(), median_ms(ms),
                *std::max_element(ms.begin(), ms.end()), static_cast<double>(bytes) / 1024);
  }
  // Of the 30-day page, the SQLite part alone: opening read-only and reading the chart points.
  TimeSpan span = history_span(HistoryRange::k30d, now);
  std::vector<double> ms;
  std::size_t points = 0;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto store = ProbeStore::open_read_only(db);
    if (!store) return 1;
    auto read = (*store)->points({.from = span.from, .to = span.to, .target = "origin"});
    if (!read) return 1;
    points = read->size();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::printf("30d, open + points() alone: %.1f ms median (%zu points)\n", median_ms(ms), points);
  return 0;
}
