// The history writer's own series (docs/metrics.md, "The history"): whether the history is
// being written, when it last was, what waits and what was lost. Updated from the writer's
// thread after each flush (prometheus-cpp's series are atomic), and once from the io thread
// when no database could be opened at all.
#pragma once

#include <cstdint>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "daemon/history_writer.h"

namespace proxywatch {

class HistoryMetrics {
 public:
  explicit HistoryMetrics(prometheus::Registry& registry);

  // The writer's figures after a flush; `writing`: the flush committed (or had nothing to do).
  void update(const HistoryWriter::Stats& stats, bool writing);
  // No database could be opened: nothing is written.
  void unavailable();

 private:
  prometheus::Gauge& writable_;
  prometheus::Gauge& last_write_;
  prometheus::Gauge& pending_;
  prometheus::Counter& written_;
  prometheus::Counter& dropped_;
  prometheus::Counter& failures_;
  HistoryWriter::Stats seen_;  // the counters' values so far, to add only what is new
};

}  // namespace proxywatch
