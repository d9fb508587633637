// Process metrics from procfs (proc(5)): /proc/self/stat for CPU time, memory and start time,
// /proc/self/fd for the open descriptors, getrlimit for their limit, /proc/stat for boot time.
#include "common/output/metrics/process_metrics.h"

#include "common/local_errors.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <sstream>

namespace proxywatch {
namespace {

namespace pm = prometheus;

pm::MetricFamily family(const char* name, const char* help, pm::MetricType type, double value) {
  pm::ClientMetric metric;
  if (type == pm::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  return pm::MetricFamily{name, help, type, {metric}};
}

// The fields of /proc/PID/stat after the command name, which may itself hold spaces and
// parentheses: fields[0] is field 3 (state) of proc(5).
std::vector<std::string> stat_fields(const std::string& path) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  std::vector<std::string> fields;
  if (close == std::string::npos) return fields;
  std::istringstream rest(text.substr(close + 1));
  for (std::string f; rest >> f;) fields.push_back(f);
  return fields;
}

std::optional<double> boot_time(const std::string& proc_stat) {
  std::ifstream in(proc_stat);
  for (std::string key; in >> key;) {
    if (key == "btime") {
      double value = 0;
      if (in >> value) return value;
      return std::nullopt;
    }
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return std::nullopt;
}

std::optional<double> open_fds(const std::string& proc_dir) {
  std::error_code ec;
  double count = 0;
  for (std::filesystem::directory_iterator it(proc_dir + "/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++count;
  }
  if (ec) return std::nullopt;
  return count;
}

}  // namespace

pm::MetricFamily collect_local_error_metrics() {
  pm::MetricFamily f{"proxywatch_local_errors_total",
                     "Probes that ended local_error: proxywatch ran out of file descriptors or "
                     "memory (not counted against any proxy).",
                     pm::MetricType::Counter,
                     {}};
  auto counts = local_error_counts();
  for (std::size_t i = 0; i < counts.size(); ++i) {
    pm::ClientMetric metric;
    metric.label.push_back({"reason", std::string(to_string(kAllLocalReasons[i]))});
    metric.counter.value = static_cast<double>(counts[i]);
    f.metric.push_back(std::move(metric));
  }
  return f;
}

std::vector<pm::MetricFamily> collect_process_metrics(const std::string& proc_dir,
                                                      const std::string& proc_stat) {
  std::vector<pm::MetricFamily> out;
  // proc(5): utime (14), stime (15), starttime (22) in clock ticks; vsize (23) in bytes,
  // rss (24) in pages. fields[i] is field i + 3.
  const std::vector<std::string> f = stat_fields(proc_dir + "/stat");
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  if (f.size() > 21 && ticks > 0) {
    out.push_back(family("process_cpu_seconds_total",
                         "Total user and system CPU time spent in seconds.",
                         pm::MetricType::Counter, (std::stod(f[11]) + std::stod(f[12])) / ticks));
    out.push_back(family("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                         pm::MetricType::Gauge, std::stod(f[20])));
    out.push_back(family("process_resident_memory_bytes", "Resident memory size in bytes.",
                         pm::MetricType::Gauge, std::stod(f[21]) * page));
    if (auto boot = boot_time(proc_stat)) {
      out.push_back(family("process_start_time_seconds",
                           "Start time of the process since unix epoch in seconds.",
                           pm::MetricType::Gauge, *boot + std::stod(f[19]) / ticks));
    }
  }
  if (auto fds = open_fds(proc_dir)) {
    out.push_back(family("process_open_fds", "Number of open file descriptors.",
                         pm::MetricType::Gauge, *fds));
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    out.push_back(family("process_max_fds", "Maximum number of open file descriptors.",
                         pm::MetricType::Gauge, static_cast<double>(limit.rlim_cur)));
  }
  return out;
}

}  // namespace proxywatch
