// Process metrics: the daemon's own CPU time, memory, file descriptors and start time, under the
// names every Prometheus client library's process collector uses (process_cpu_seconds_total,
// process_resident_memory_bytes, ...), so the usual exporter dashboards and alerts apply. Read
// from /proc/self at each scrape; prometheus-cpp has no process collector of its own.
#pragma once

#include <string>
#include <vector>

#include <prometheus/metric_family.h>

namespace proxywatch {

// The process families, read now from `proc_dir` (the process' /proc directory, e.g.
// "/proc/self") and `proc_stat` (the system's /proc/stat, for the boot time). A value that
// cannot be read is left out, never reported as 0.
std::vector<prometheus::MetricFamily> collect_process_metrics(
    const std::string& proc_dir = "/proc/self", const std::string& proc_stat = "/proc/stat");

// proxywatch_local_errors_total{reason}: probes that ended local_error because this process ran
// out of descriptors or memory (common/local_errors.h), one series per reason, 0 included.
prometheus::MetricFamily collect_local_error_metrics();

}  // namespace proxywatch
