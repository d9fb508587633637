// The capture series, registered once per daemon.
#include "daemon/capture_metrics.h"

#include "common/output/metrics/metric_labels.h"

namespace proxywatch {

CaptureMetrics::CaptureMetrics(prometheus::Registry& registry)
    : available_(register_gauge(registry, "proxywatch_capture_available",
                                "1 while the daemon captures its probes' packets (capture: "
                                "enabled and CAP_NET_RAW held), else 0")
                     .Add({})),
      written_(register_counter(registry, "proxywatch_captures_written_total",
                                "Capture files written (failed probes, health changes, MTU "
                                "comparisons that named a direction)")
                   .Add({})),
      failures_(register_counter(registry, "proxywatch_capture_write_failures_total",
                                 "Capture files that could not be written")
                    .Add({})),
      files_(register_gauge(registry, "proxywatch_capture_files",
                            "Capture files kept in state_dir/captures after the last prune")
                 .Add({})),
      ring_bytes_(register_gauge(registry, "proxywatch_capture_ring_bytes",
                                 "Bytes of packets held in memory: each pair's latest probe")
                      .Add({})) {}

void CaptureMetrics::kept(std::size_t files, std::size_t ring_bytes) {
  files_.Set(static_cast<double>(files));
  ring_bytes_.Set(static_cast<double>(ring_bytes));
}

}  // namespace proxywatch
