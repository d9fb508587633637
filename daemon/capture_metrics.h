// The daemon's capture series (docs/metrics.md, "Captures"): whether probes are being captured,
// the files written and the writes that failed, the files kept and the packets held in memory.
// The io_context thread only.
#pragma once

#include <cstddef>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace proxywatch {

class CaptureMetrics {
 public:
  explicit CaptureMetrics(prometheus::Registry& registry);

  // 1 while probes are captured; 0 when capture is off or could not be opened.
  void set_available(bool available) { available_.Set(available ? 1 : 0); }
  // A file was written (true) or could not be (false).
  void written(bool ok) { (ok ? written_ : failures_).Increment(); }
  // After a prune: the files in the captures directory and the bytes of the in-memory ring.
  void kept(std::size_t files, std::size_t ring_bytes);

 private:
  prometheus::Gauge& available_;
  prometheus::Counter& written_;
  prometheus::Counter& failures_;
  prometheus::Gauge& files_;
  prometheus::Gauge& ring_bytes_;
};

}  // namespace proxywatch
