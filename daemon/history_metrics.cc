// The history writer's series; counters advance by what each flush added.
#include "daemon/history_metrics.h"

#include <chrono>

#include "common/output/metrics/metric_labels.h"

namespace proxywatch {

HistoryMetrics::HistoryMetrics(prometheus::Registry& registry)
    : writable_(register_gauge(registry, "proxywatch_history_writable",
                               "1 while the history database takes writes, 0 while writing "
                               "fails (a full disk) or no database could be opened")
                    .Add({})),
      last_write_(register_gauge(registry, "proxywatch_history_last_write_timestamp_seconds",
                                 "When the history writer last committed a batch")
                      .Add({})),
      pending_(register_gauge(registry, "proxywatch_history_pending_probes",
                              "Probes waiting to be written to the history database")
                   .Add({})),
      written_(register_counter(registry, "proxywatch_history_probes_written_total",
                                "Probes written to the history database")
                   .Add({})),
      dropped_(register_counter(registry, "proxywatch_history_probes_dropped_total",
                                "Probes lost because writing failed for longer than the memory "
                                "kept for them")
                   .Add({})),
      failures_(register_counter(registry, "proxywatch_history_write_failures_total",
                                 "Writes to the history database that failed (each retried)")
                    .Add({})) {
  writable_.Set(1);
}

void HistoryMetrics::update(const HistoryWriter::Stats& stats, bool writing) {
  writable_.Set(writing ? 1 : 0);
  if (stats.last_write) {
    last_write_.Set(std::chrono::duration<double>(stats.last_write->time_since_epoch()).count());
  }
  pending_.Set(static_cast<double>(stats.pending));
  written_.Increment(static_cast<double>(stats.probes_written - seen_.probes_written));
  dropped_.Increment(static_cast<double>(stats.probes_dropped - seen_.probes_dropped));
  failures_.Increment(static_cast<double>(stats.failed_writes - seen_.failed_writes));
  seen_ = stats;
}

void HistoryMetrics::unavailable() {
  writable_.Set(0);
}

}  // namespace proxywatch
