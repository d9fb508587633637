// The long-running service (`proxywatch daemon`): loads the YAML and the FMC proxy file,
// watches the proxy file, probes every target on schedule, serves /metrics, the status page
// (/) and /status.json, logs changes to
// the journal and speaks systemd's notify protocol. Reloads (proxy file changed, SIGHUP for
// the YAML) validate first and apply only what is valid. Everything runs on one io_context
// thread; not thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/output/web/http_server.h"
#include "common/output/log/log.h"
#include "common/output/metrics/metrics.h"
#include "common/output/status/status_snapshot.h"
#include "common/text_result.h"
#include "config/plan.h"
#include "config/proxy_file_watcher.h"
#include "daemon/probe_sink.h"
#include "daemon/scheduler.h"
#include "daemon/tracker_sink.h"

namespace proxywatch {

struct DaemonOptions {
  std::string config_path{config::kDefaultConfigFile};
  bool config_explicit = false;  // given with --config: its absence is an error
  LogTarget log_target = LogTarget::kAuto;
};

class Daemon {
 public:
  Daemon(boost::asio::io_context& io, DaemonOptions options);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Loads the configuration, binds the metrics listener, starts watching and probing, and
  // sends READY=1. Fails (the caller exits non-zero) on an invalid YAML or an unusable
  // listen address; an invalid or absent proxy file is reported and waited out instead.
  TextResult<void> start();

  // STOPPING=1, then stops probing, watching and serving; io_context::run() returns.
  void stop();

 private:
  void on_signal(int signal);
  void reload_yaml();
  void reload_proxy_file();
  bool load_proxy_file();  // false when the file did not parse (last good kept)
  void apply_plan();
  void make_scheduler();
  TextResult<void> listen(const HostPort& address);
  void watch_proxy_file();
  void arm_watchdog();
  void load_state();
  void arm_state_timer();
  void status_changed();
  void save_state();
  std::string state_path() const;
  std::string status() const;
  StatusSnapshot status_snapshot() const;

  boost::asio::io_context& io_;
  DaemonOptions options_;
  config::DaemonConfig config_;
  std::optional<config::ProxyFileSettings> proxy_;        // last good; nullopt = disabled
  std::optional<config::LoadedCredentials> credentials_;  // from credentials_file or systemd
  bool proxy_file_valid_ = true;
  config::Plan plan_;
  Metrics metrics_;
  ProbeSink probes_{metrics_};
  PairRegistry registry_;
  TrackerSink tracker_{registry_, metrics_};
  std::string state_error_;    // the last state-file write error logged, "" when writes work
  HttpSecurity web_security_;  // from web_config_file, read at start
  std::unique_ptr<HttpServer> server_;
  HostPort listening_on_;
  std::unique_ptr<config::ProxyFileWatcher> watcher_;
  std::unique_ptr<Scheduler> scheduler_;
  std::uint32_t scheduler_limit_ = 0;
  // What the scheduler was last given besides the plan, so an unchanged reload is a no-op.
  Millis applied_jitter_{0};
  MtuSchedule applied_mtu_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer watchdog_;
  boost::asio::steady_timer state_timer_;
  bool state_timer_armed_ = false;
  boost::asio::steady_timer status_timer_;
  bool status_timer_armed_ = false;
  bool stopping_ = false;
};

// `proxywatch daemon [--config FILE] [--log-target auto|journal|stderr]`; returns the exit
// status.
int run_daemon_command(const std::vector<std::string>& args);

}  // namespace proxywatch
