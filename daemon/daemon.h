// The long-running service (`proxywatch daemon`): its lifecycle. It loads the configuration
// (ConfigState), restores the histories (Persistence), serves the metrics and status page
// (StatusService), watches the proxy file, probes every target on schedule and hands each
// result to the sinks, speaks systemd's notify protocol, and stops cleanly. Reloads (proxy
// file changed, SIGHUP for the YAML) validate first and apply only what is valid. Everything
// runs on one io_context thread; not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/error.h"
#include "common/history/pair_registry.h"
#include "common/output/log/log.h"
#include "common/output/metrics/metrics.h"
#include "config/plan.h"
#include "config/proxy_file_watcher.h"
#include "daemon/capture_metrics.h"
#include "daemon/config_overrides.h"
#include "daemon/config_state.h"
#include "daemon/evidence_store.h"
#include "daemon/loop_lag.h"
#include "daemon/persistence.h"
#include "daemon/probe_sink.h"
#include "daemon/scheduler.h"
#include "daemon/state_lock.h"
#include "daemon/status_service.h"
#include "daemon/tracker_sink.h"

namespace proxywatch {

struct DaemonOptions {
  std::string config_path{config::kDefaultConfigFile};
  bool config_explicit = false;  // given with --config: its absence is an error
  LogTarget log_target = LogTarget::kAuto;
  LogFormat log_format = LogFormat::kPlain;  // --log.format
  ConfigOverrides overrides{};               // --web.listen-address ... over the YAML file
  bool help = false;
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
  Result<void> start();

  // STOPPING=1, then stops probing, watching and serving; io_context::run() returns.
  void stop();

 private:
  void on_signal(int signal);
  void wait_for_signal();
  // Takes the state directory's lock (state_lock.h); an error only when another daemon holds it.
  Result<void> lock_state_dir();
  void reload_yaml();
  void reload_proxy_file();
  void apply_plan();
  void make_scheduler();
  void record_probe(const config::PlannedTarget& target, const ProbeResult& result,
                    const ProbePackets* packets);
  // capture: enabled — opens the packet capture and the evidence store; without CAP_NET_RAW
  // logs why and probes on without capturing.
  void start_capture();
  // Writes a capture of `key`'s kept probe, or `packets`; returns its path ("" when none).
  std::string write_capture(const PairKey& key, std::string_view outcome,
                            const ProbePackets* packets = nullptr);
  void watch_proxy_file();
  void arm_watchdog();
  void status_changed();

  boost::asio::io_context& io_;
  DaemonOptions options_;
  Metrics metrics_;
  ConfigState config_;
  config::Plan plan_;
  PairRegistry registry_;
  ProbeSink probes_{metrics_};
  TrackerSink tracker_{registry_, metrics_};
  StateDirLock state_lock_;  // held for the daemon's life: one daemon per state_dir
  Persistence persistence_;
  StatusService status_;
  CaptureMetrics capture_metrics_{metrics_.registry()};
  LoopLag loop_lag_{io_.get_executor(), metrics_.registry()};
  // Declared before the scheduler, which uses them: capture: enabled only, from start().
  std::unique_ptr<PacketCapture> capture_;
  std::unique_ptr<EvidenceStore> evidence_;
  std::unique_ptr<config::ProxyFileWatcher> watcher_;
  bool watching_ = false;  // the watcher started; false: SIGHUP tries again
  std::unique_ptr<Scheduler> scheduler_;
  std::uint32_t scheduler_limit_ = 0;
  // What the scheduler was last given besides the plan, so an unchanged reload is a no-op.
  Millis applied_jitter_{0};
  MtuSchedule applied_mtu_;
  std::vector<Millis> applied_confirm_;
  bool proxy_announced_ = false;  // the proxy metrics and event were set for plan_.proxy
  boost::asio::signal_set signals_;
  boost::asio::steady_timer watchdog_;
  boost::asio::steady_timer status_timer_;
  bool status_timer_armed_ = false;
  bool stopping_ = false;
};

// The options of `proxywatch daemon` (see its --help); an error names the flag.
Result<DaemonOptions> parse_daemon_args(const std::vector<std::string>& args);

// `proxywatch daemon [--config FILE] [--log-target auto|journal|stderr] [--web.listen-address
// IP:PORT] [--web.config.file FILE] [--log.level LEVEL] [--log.format logfmt|json]`; returns
// the exit status (2 for bad usage).
int run_daemon_command(const std::vector<std::string>& args);

}  // namespace proxywatch
