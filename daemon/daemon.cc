// The daemon's lifecycle: start, reloads of both files, signals, watchdog, stop.
#include "daemon/daemon.h"

#include <sys/prctl.h>

#include <csignal>
#include <filesystem>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/capture/packet_capture.h"
#include "common/history/health_rules.h"
#include "daemon/descriptor_limit.h"
#include "daemon/systemd_notify.h"

namespace proxywatch {
namespace {

namespace asio = boost::asio;
// STATUS= is rebuilt from every target's health, so a probe's end only asks for it: at most one
// rebuild per this period, however many probes end in it (docs/benchmarks.md, 10,000 targets).
constexpr std::chrono::milliseconds kStatusCoalescing{100};
// Quiet time after a change of the proxy file before it is read. A rename over the file is one
// event; an in-place rewrite is a burst within a few milliseconds. 25 ms keeps a change to the
// first probe of the new proxy near 30 ms (docs/benchmarks.md); a writer slower than that gets
// its half-written file rejected once (last good kept) and read again when it is done.
constexpr std::chrono::milliseconds kProxyFileDebounce{25};

bool same_targets(const config::Plan& a, const config::Plan& b) {
  return a.proxy == b.proxy && a.target_names() == b.target_names();
}

void log_config_event(MessageId id, Priority priority, std::string message) {
  log_event(Event{.id = id, .priority = priority, .message = std::move(message)});
}

}  // namespace

Daemon::Daemon(asio::io_context& io, DaemonOptions options)
    : io_(io),
      options_(std::move(options)),
      config_(metrics_, options_.config_path, options_.config_explicit, io.get_executor(),
              options_.overrides),
      persistence_(io.get_executor(), registry_, tracker_, metrics_.registry()),
      status_(io, metrics_, registry_, plan_, config_),
      signals_(io, SIGTERM, SIGINT, SIGHUP),
      watchdog_(io),
      status_timer_(io) {}

Daemon::~Daemon() = default;

Result<void> Daemon::start() {
  // No core dumps and no ptrace by other processes of the same user: the memory holds the
  // proxy password (the unit also sets LimitCORE=0).
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  // A write to a closed stderr (a reader that went away) fails with EPIPE and logging goes on;
  // the sockets never raise SIGPIPE (Asio sends with MSG_NOSIGNAL).
  ::signal(SIGPIPE, SIG_IGN);
  if (auto loaded = config_.load(); !loaded) return loaded;
  set_log_level(config_.config().log_level);
  if (auto locked = lock_state_dir(); !locked) return locked;
  registry_.set_settings(config_.config().health);
  metrics_.set_options(config_.config().metrics);
  const config::HistoryConfig& history = config_.config().history;
  persistence_.restore(config_.config().state_dir,
                       RetentionSettings{.max_age = history.max_age,
                                         .failure_max_age = history.failure_max_age,
                                         .max_bytes = history.max_size_mib << 20});
  // Only with the history restored: the listener answers on a thread of its own, and a scrape
  // before the restore would show every pair's health and diagnoses missing, which resets the
  // `for:` of their alerts (found by HistoryDaemonTest under load).
  if (auto bound = status_.listen(config_.config().metrics_listen, config_.web_security()); !bound)
    return bound;
  start_capture();
  config_.load_proxy_file();
  watch_proxy_file();
  apply_plan();
  raise_descriptor_limit(plan_.targets.size(), config_.config().max_concurrent_probes);
  // SIGUSR1 and SIGUSR2 have no meaning yet: caught and logged, so that they cannot kill it.
  signals_.add(SIGUSR1);
  signals_.add(SIGUSR2);
  wait_for_signal();
  arm_watchdog();
  loop_lag_.start([this] { return scheduler_ && scheduler_->probes_in_flight() > 0; });
  log_config_event(message_ids::kDaemonStarted, Priority::kInfo,
                   fmt::format("proxywatch {} started: {}", PROXYWATCH_VERSION, status_.summary()));
  notify_ready(status_.summary());
  return {};
}

Result<void> Daemon::lock_state_dir() {
  auto lock = StateDirLock::acquire(config_.config().state_dir);
  if (lock) {
    state_lock_ = std::move(*lock);
    return {};
  }
  // Held by another daemon: stop here. A directory that cannot hold the lock (missing, not
  // writable) cannot hold the history either; saving says so, and the daemon still probes.
  if (lock.error().kind == Error::Kind::kInvalid) return lock.error();
  spdlog::warn("{}; running without the state directory lock", lock.error());
  return {};
}

void Daemon::stop() {
  if (stopping_) return;
  stopping_ = true;
  notify_stopping();
  log_config_event(message_ids::kDaemonStopping, Priority::kInfo, "proxywatch stopping");
  if (scheduler_) scheduler_->stop();
  persistence_.stop();
  status_timer_.cancel();
  if (watcher_) watcher_->stop();
  status_.stop();
  signals_.cancel();
  watchdog_.cancel();
  loop_lag_.stop();
  // Probes in flight end with the io_context; a DNS lookup left running is abandoned.
  io_.stop();
}

void Daemon::wait_for_signal() {
  signals_.async_wait([this](auto ec, int signal) {
    if (!ec) on_signal(signal);
  });
}

void Daemon::on_signal(int signal) {
  if (signal == SIGTERM || signal == SIGINT) return stop();
  if (signal == SIGHUP) {
    reload_yaml();
  } else {
    spdlog::info("{} ignored", signal == SIGUSR1 ? "SIGUSR1" : "SIGUSR2");
  }
  wait_for_signal();
}

void Daemon::reload_yaml() {
  const auto started = std::chrono::steady_clock::now();  // for the debug line: loop blocked
  notify_reloading(status_.summary());
  auto next = config_.read_yaml();
  Result<void> outcome = next ? Result<void>() : next.error();
  if (next && !(next->config.metrics_listen == status_.address())) {
    outcome = status_.listen(next->config.metrics_listen, config_.web_security());
  }
  config_.record_yaml(outcome);
  status_.changed();
  if (!outcome) {
    config_.reload_web_config();  // the one the running YAML names
    return notify_ready(status_.summary());
  }
  bool proxy_file_moved = config_.adopt(std::move(*next));
  config_.reload_web_config();
  status_.allow_hosts(config_.config().metrics_allowed_hosts);
  set_log_level(config_.config().log_level);
  registry_.set_settings(config_.config().health);
  metrics_.set_options(config_.config().metrics);
  // SIGHUP re-reads the proxy file too: a change the watch could not see (its directory did not
  // exist when the watch was set) is picked up, and a watch that could not be set is tried again.
  if (proxy_file_moved || !watching_) watch_proxy_file();
  config_.load_proxy_file();
  apply_plan();
  log_config_event(message_ids::kConfigApplied, Priority::kInfo,
                   "configuration " + config_.config().source + " applied: " + status_.summary());
  spdlog::debug(
      "reload: {} targets applied in {} ms", plan_.targets.size(),
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
          .count());
  notify_ready(status_.summary());
}

void Daemon::reload_proxy_file() {
  if (stopping_) return;
  // A rejected file changes nothing: the last good proxy keeps being probed on schedule.
  const auto started = std::chrono::steady_clock::now();  // for the debug line: loop blocked
  if (config_.load_proxy_file()) {
    apply_plan();
    spdlog::debug(
        "proxy file: {} targets applied in {} ms", plan_.targets.size(),
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count());
    return;
  }
  status_.changed();
  notify_status(status_.summary());
}

void Daemon::apply_plan() {
  const config::DaemonConfig& config = config_.config();
  config::Plan next = config_.plan();
  MtuSchedule mtu{config.mtu_probe.enabled, config.mtu_probe.interval};
  // An inotify event or SIGHUP that changed nothing leaves every target's loop running on its
  // schedule: re-applying would restart them all and probe at once (touching the file every
  // 150 ms gave 13 times the probe rate).
  if (scheduler_ && scheduler_limit_ == config.max_concurrent_probes && next == plan_ &&
      applied_jitter_ == config.jitter && applied_mtu_ == mtu &&
      applied_confirm_ == config.confirm.delays) {
    return;
  }
  if (next.proxy != plan_.proxy) {
    if (next.proxy) {
      log_event(Event{.id = message_ids::kProxyChanged,
                      .priority = Priority::kNotice,
                      .message = "now watching proxy " + next.proxy_label(),
                      .proxy = next.proxy_label()});
    } else {
      log_config_event(message_ids::kProxyDisabled, Priority::kWarning,
                       "proxy disabled: " + config.proxy_file + " is absent");
    }
  }
  // Also on the first plan: a daemon that starts without a proxy file exports
  // proxywatch_proxy_configured 0 from its first scrape on.
  if (next.proxy != plan_.proxy || !proxy_announced_) {
    metrics_.set_proxy(next.proxy ? std::optional(next.proxy_label()) : std::nullopt);
    proxy_announced_ = true;
  }
  // Keep the per-probe series (and the last outcomes) when the same targets go on through the
  // same proxy; anything else starts afresh.
  if (!same_targets(next, plan_)) probes_.forget_all();
  plan_ = std::move(next);
  // Histories of pairs still planned go on (also those restored from the store).
  persistence_.dropped(tracker_.retain(
      plan_.proxy_label(), plan_.proxy ? plan_.target_names() : std::vector<std::string>{}));
  std::map<std::string, TrackerSink::TargetFeature> features;
  for (const config::PlannedTarget& t : plan_.targets) {
    features[t.name] = {t.service, t.spec.target_text()};
  }
  tracker_.describe_targets(std::move(features));
  if (evidence_) {
    std::vector<PairKey> keys;
    for (const std::string& name : plan_.target_names())
      keys.emplace_back(plan_.proxy_label(), name);
    evidence_->retain(keys);
  }
  if (!scheduler_ || scheduler_limit_ != config.max_concurrent_probes) make_scheduler();
  scheduler_->set_confirmation(config.confirm.delays, [this](const config::PlannedTarget& t) {
    const Tracker* tracker = registry_.find({plan_.proxy_label(), t.name});
    return tracker && verdict_unsettled(tracker->history(), registry_.settings());
  });
  scheduler_->apply(plan_.proxy ? plan_.targets : std::vector<config::PlannedTarget>{},
                    config.jitter, mtu);
  applied_jitter_ = config.jitter;
  applied_mtu_ = mtu;
  applied_confirm_ = config.confirm.delays;
  status_.changed();
  notify_status(status_.summary());
}

void Daemon::record_probe(const config::PlannedTarget& t, const ProbeResult& r,
                          const ProbePackets* packets) {
  std::string proxy = plan_.proxy_label();
  metrics_.set_probe_interval(proxy, t.name, t.interval);
  metrics_.set_target_info(proxy, t.name, to_string(t.service), t.spec.target_text());
  metrics_.set_phase_timeouts(proxy, t.name, t.spec.timeouts);
  const PairKey key{proxy, t.name};
  std::string outcome(to_string(r.outcome));
  // A failure's capture is written before its events, so both carry CAPTURE_FILE; a passing
  // probe's only once the tracker says it changed the health.
  std::string capture_file;
  if (packets && evidence_) {
    evidence_->keep(key, *packets);
    if (!r.ok()) capture_file = write_capture(key, outcome);
  }
  probes_.record(proxy, t.name, r, capture_file);
  const auto now = std::chrono::system_clock::now();
  auto capture_for = [&](const TrackerChanges& c) {
    if (capture_file.empty() && packets && evidence_ && capture_wanted(!r.ok(), c)) {
      capture_file = write_capture(key, outcome);
    }
    return capture_file;
  };
  auto changes = tracker_.record(proxy, t.name, t.expect_issuer, r, now, capture_for);
  persistence_.probe({proxy, t.name}, t.service, r, now, changes);
  status_changed();
}

void Daemon::make_scheduler() {
  if (scheduler_) scheduler_->stop();
  scheduler_limit_ = config_.config().max_concurrent_probes;
  scheduler_ = std::make_unique<Scheduler>(
      io_.get_executor(), scheduler_limit_,
      [this](const config::PlannedTarget& t, const ProbeResult& r, const ProbePackets* packets) {
        record_probe(t, r, packets);
      },
      [](const config::PlannedTarget& t, const std::string& error) {
        spdlog::error("target {}: {}", t.name, error);
      },
      [this](const config::PlannedTarget& t, const MtuReport& report, const ProbePackets* packets) {
        spdlog::debug("MTU comparison {} via {}: {}", t.name, plan_.proxy_label(),
                      to_string(report.verdict));
        // A comparison that names a direction is the "large packets never arrive" evidence.
        bool directed =
            report.verdict == MtuVerdict::kInbound || report.verdict == MtuVerdict::kOutbound;
        if (packets && evidence_ && directed) {
          write_capture({plan_.proxy_label(), t.name},
                        fmt::format("mtu_{}", to_string(report.verdict)), packets);
        }
        const auto now = std::chrono::system_clock::now();
        auto changes = tracker_.record_mtu(plan_.proxy_label(), t.name, report, now);
        persistence_.mtu({plan_.proxy_label(), t.name}, report, now, changes);
      },
      capture_.get());
  scheduler_->set_wake_observer(
      [this](std::chrono::steady_clock::duration late) { loop_lag_.woke(late); });
}

void Daemon::start_capture() {
  const config::CaptureConfig& c = config_.config().capture;
  capture_metrics_.set_available(false);
  if (!c.enabled) return;
  auto opened = PacketCapture::open(io_.get_executor());
  if (!opened) {
    log_event(Event{.id = message_ids::kCaptureUnavailable,
                    .priority = Priority::kError,
                    .message = fmt::format(
                        "capture: enabled, but probes cannot be captured: {}. proxywatch needs "
                        "CAP_NET_RAW and AF_PACKET: see the commented drop-in "
                        "/usr/share/doc/proxywatch/examples/capture.conf. Probing goes on "
                        "without capture.",
                        opened.error().to_string())});
    return;
  }
  capture_ = std::move(*opened);
  evidence_ = std::make_unique<EvidenceStore>(
      captures_dir(config_.config().state_dir),
      EvidenceLimits{
          .max_files = c.max_files, .max_bytes = c.max_size_mib << 20, .max_age = c.max_age});
  capture_metrics_.kept(evidence_->prune(std::chrono::system_clock::now()), 0);
  capture_metrics_.set_available(true);
  status_.show_captures(evidence_.get());
  spdlog::info("capturing probes' packets; captures of failures go to {}", evidence_->dir());
}

std::string Daemon::write_capture(const PairKey& key, std::string_view outcome,
                                  const ProbePackets* packets) {
  const auto now = std::chrono::system_clock::now();
  auto written =
      packets ? evidence_->write(key, *packets, outcome, now) : evidence_->write(key, outcome, now);
  capture_metrics_.written(bool(written));
  capture_metrics_.kept(evidence_->files(), evidence_->ring_bytes());
  if (!written) {
    spdlog::warn("{} via {}: the capture could not be written: {}", key.second, key.first,
                 written.error());
    return "";
  }
  return (std::filesystem::path(evidence_->dir()) / written->name).string();
}

void Daemon::watch_proxy_file() {
  if (watcher_) watcher_->stop();
  watcher_ = std::make_unique<config::ProxyFileWatcher>(
      io_.get_executor(), [this] { reload_proxy_file(); }, config_.proxy_file(),
      kProxyFileDebounce);
  auto started = watcher_->start();
  watching_ = bool(started);
  if (!started) {
    spdlog::warn("cannot watch {}: {}; changes are picked up on SIGHUP only", config_.proxy_file(),
                 started.error());
  }
}

void Daemon::arm_watchdog() {
  auto interval = watchdog_interval();
  if (!interval) return;
  notify_watchdog();
  watchdog_.expires_after(*interval / 2);
  watchdog_.async_wait([this](auto ec) {
    if (!ec && !stopping_) arm_watchdog();
  });
}

// Sends STATUS= once the probes ending within kStatusCoalescing have all been recorded.
void Daemon::status_changed() {
  status_.changed();
  if (status_timer_armed_ || stopping_) return;
  status_timer_armed_ = true;
  status_timer_.expires_after(kStatusCoalescing);
  status_timer_.async_wait([this](auto ec) {
    status_timer_armed_ = false;
    if (!ec && !stopping_) notify_status(status_.summary());
  });
}

}  // namespace proxywatch
