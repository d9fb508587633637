// Prometheus and Alertmanager for tests: Debian's prometheus (2.42) and prometheus-alertmanager
// (0.25) started by a test on loopback ports of their own, each with its storage in a TempDir,
// and read through their HTTP APIs. They are the fleet's central monitoring that the shipped
// alert rules and dashboard are proven against.
#pragma once

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace proxywatch::testing {

// `yaml` (rules or an Alertmanager configuration) with the durations of its timing keys —
// `for:`, `interval:`, `group_wait:`, `group_interval:`, `repeat_interval:` — divided by
// `divisor` and written in milliseconds (`for: 2m` / 10 becomes `for: 12000ms`). The fleet test
// runs the shipped files 10 times faster this way, with every probe, scrape and evaluation
// interval divided alike. Throws std::runtime_error on a value of those keys that is not a Go
// duration of one unit (ms, s, m, h).
std::string scale_durations(const std::string& yaml, int divisor);

// One alert as Alertmanager's /api/v2/alerts lists it.
struct AmAlert {
  std::map<std::string, std::string> labels;
  std::string state;  // status.state: active, suppressed or unprocessed
};

// `prometheus-alertmanager` on 127.0.0.1:port() with one route to a receiver that sends nothing
// (or the given configuration), clustering off (--cluster.listen-address=). Not thread-safe.
class Alertmanager {
 public:
  // Starts it, trying up to 3 ports; waits at most 20 s until /-/ready answers. Throws
  // std::runtime_error with the tail of its log if it does not.
  Alertmanager();
  // The same with `config_yaml` as its alertmanager.yml.
  explicit Alertmanager(const std::string& config_yaml);
  // SIGTERM, up to 5 s, then SIGKILL.
  ~Alertmanager();
  Alertmanager(const Alertmanager&) = delete;
  Alertmanager& operator=(const Alertmanager&) = delete;

  std::uint16_t port() const { return port_; }

  // GET /api/v2/alerts: every alert it holds that has not ended (resolved alerts drop out of
  // this list once their endsAt has passed); nullopt when the request fails.
  std::optional<std::vector<AmAlert>> alerts() const;

  // What it has logged so far.
  std::string log() const { return process_ ? process_->log() : ""; }

 private:
  TempDir dir_;
  std::uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

// A proxywatch daemon a Prometheus scrapes: its metrics port on 127.0.0.1 and the appliance
// name that file_sd gives it (relabelled into `instance`), with further file_sd labels (site,
// region, proxy_expected, as proxywatch-file-sd writes them).
struct ScrapeTarget {
  std::string appliance;
  std::uint16_t port = 0;
  std::map<std::string, std::string> labels{};
};

// The answer of a query endpoint (/api/v1/query, /api/v1/query_range).
struct QueryAnswer {
  bool ok = false;          // status "success"
  std::string error;        // errorType: error, when not ok (or why the request failed)
  std::string result_type;  // vector, matrix, scalar, string
  boost::json::array result;
};

// `prometheus` on 127.0.0.1:port(), its TSDB in a TempDir, scraping the job `proxywatch` through
// file-based service discovery (targets.yml in its directory, written by set_targets), relabelling
// `instance` to the target's `appliance` label as docs/fleet.md configures it, loading the given
// rule files and sending alerts to an Alertmanager. Not thread-safe.
class Prometheus {
 public:
  struct Options {
    std::vector<std::filesystem::path> rule_files{};
    std::uint16_t alertmanager_port = 0;  // 0: no Alertmanager
    // Scrape and rule evaluation interval (rule groups may set their own `interval:`).
    std::chrono::milliseconds interval{1000};
    // Verbatim YAML lines added to the proxywatch job, indented by 4 (e.g. "    scheme: https").
    std::string job_extra{};
  };

  // Writes prometheus.yml and an empty target list, starts it (up to 3 ports) and waits at
  // most 30 s for /-/ready. Throws std::runtime_error with the tail of its log if it does not.
  explicit Prometheus(Options options);
  // SIGTERM, up to 10 s (it flushes its head block), then SIGKILL.
  ~Prometheus();
  Prometheus(const Prometheus&) = delete;
  Prometheus& operator=(const Prometheus&) = delete;

  std::uint16_t port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_.path(); }

  // Replaces the file_sd target list (written to a temporary file and renamed over, as a fleet's
  // tooling should, so Prometheus never reads half a file).
  void set_targets(const std::vector<ScrapeTarget>& targets) const;

  // An instant query at the current time.
  QueryAnswer query(const std::string& expr) const;

  // A range query over the last `range`, one point per `step`.
  QueryAnswer query_range(const std::string& expr, std::chrono::seconds range,
                          std::chrono::seconds step) const;

  // The alerts as Prometheus itself sees them (/api/v1/alerts): pending and firing.
  boost::json::array alerts() const;

  std::string log() const { return process_ ? process_->log() : ""; }

 private:
  std::string config(std::uint16_t port) const;

  TempDir dir_;
  Options options_;
  std::uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

// GET http://127.0.0.1:port/path with `params` URL-encoded into the query string (Boost.URL),
// parsed as JSON; a null value when the request or the parse fails.
boost::json::value get_json(std::uint16_t port, const std::string& path,
                            const std::vector<std::pair<std::string, std::string>>& params = {});

}  // namespace proxywatch::testing
