// The daemon's lifecycle: start, reloads of both files, signals, watchdog, stop.
#include "daemon/daemon.h"

#include <malloc.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include <csignal>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/ip/address.hpp>

#include "common/output/json/json_fields.h"
#include "common/output/status/status_json.h"
#include "common/output/status/status_page.h"
#include "common/output/store/state_file.h"
#include "daemon/cli_args.h"
#include "daemon/systemd_notify.h"
#include "daemon/web_security.h"

namespace proxywatch {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::system_clock;
constexpr std::chrono::seconds kStateSaveInterval{5};
// STATUS= is rebuilt from every target's health, so a probe's end only asks for it: at most one
// rebuild per this period, however many probes end in it (docs/benchmarks.md, 10,000 targets).
constexpr std::chrono::milliseconds kStatusCoalescing{100};
// Quiet time after a change of the proxy file before it is read. A rename over the file is one
// event; an in-place rewrite is a burst within a few milliseconds. 25 ms keeps a change to the
// first probe of the new proxy near 30 ms (docs/benchmarks.md); a writer slower than that gets
// its half-written file rejected once (last good kept) and read again when it is done.
constexpr std::chrono::milliseconds kProxyFileDebounce{25};

spdlog::level::level_enum spdlog_level(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::kTrace:
      return spdlog::level::trace;
    case config::LogLevel::kDebug:
      return spdlog::level::debug;
    case config::LogLevel::kInfo:
      return spdlog::level::info;
    case config::LogLevel::kWarn:
      return spdlog::level::warn;
    case config::LogLevel::kError:
      break;
  }
  return spdlog::level::err;
}

bool same_targets(const config::Plan& a, const config::Plan& b) {
  if (a.proxy != b.proxy || a.targets.size() != b.targets.size()) return false;
  for (size_t i = 0; i < a.targets.size(); ++i) {
    if (a.targets[i].name != b.targets[i].name) return false;
  }
  return true;
}

void log_config_event(MessageId id, Priority priority, std::string message) {
  log_event(Event{.id = id, .priority = priority, .message = std::move(message)});
}

}  // namespace

Daemon::Daemon(asio::io_context& io, DaemonOptions options)
    : io_(io),
      options_(std::move(options)),
      signals_(io, SIGTERM, SIGINT, SIGHUP),
      watchdog_(io),
      state_timer_(io),
      status_timer_(io) {}

Daemon::~Daemon() = default;

static config::ConfigResult<config::DaemonConfig> load_config(const DaemonOptions& options) {
  return config::load_daemon_config(options.config_path, options.config_explicit);
}

static config::ConfigResult<std::optional<config::LoadedCredentials>> load_credentials(
    const config::DaemonConfig& config) {
  return config::load_credentials(config.credentials_file,
                                  config::credentials_directory_from_env());
}

TextResult<void> Daemon::start() {
  // No core dumps and no ptrace by other processes of the same user: the memory holds the
  // proxy password (the unit also sets LimitCORE=0).
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  auto loaded = load_config(options_);
  if (!loaded) return error_text(loaded.error().to_string());
  config_ = *loaded;
  auto credentials = load_credentials(config_);
  if (!credentials) return error_text(credentials.error().to_string());
  credentials_ = *credentials;
  auto security = load_web_security(config_.web_config_file);
  if (!security) return error_text("web_config_file: " + security.error());
  web_security_ = std::move(*security);
  spdlog::set_level(spdlog_level(config_.log_level));
  metrics_.set_config_valid("yaml", true);
  metrics_.record_config_load("yaml", true, 0, Clock::now());
  if (auto bound = listen(config_.metrics_listen); !bound) return bound;
  registry_.set_settings(config_.health);
  load_state();
  load_proxy_file();
  watch_proxy_file();
  apply_plan();
  signals_.async_wait([this](auto ec, int signal) {
    if (!ec) on_signal(signal);
  });
  arm_watchdog();
  log_config_event(message_ids::kDaemonStarted, Priority::kInfo,
                   fmt::format("proxywatch {} started: {}", PROXYWATCH_VERSION, status()));
  notify_ready(status());
  return {};
}

void Daemon::stop() {
  if (stopping_) return;
  stopping_ = true;
  notify_stopping();
  log_config_event(message_ids::kDaemonStopping, Priority::kInfo, "proxywatch stopping");
  if (scheduler_) scheduler_->stop();
  save_state();
  state_timer_.cancel();
  status_timer_.cancel();
  if (watcher_) watcher_->stop();
  if (server_) server_->stop();
  signals_.cancel();
  watchdog_.cancel();
  // Probes in flight end with the io_context; a DNS lookup left running is abandoned.
  io_.stop();
}

void Daemon::on_signal(int signal) {
  if (signal == SIGHUP) {
    reload_yaml();
    signals_.async_wait([this](auto ec, int next) {
      if (!ec) on_signal(next);
    });
    return;
  }
  stop();
}

void Daemon::reload_yaml() {
  notify_reloading(status());
  auto loaded = load_config(options_);
  std::string problem = loaded ? std::string() : loaded.error().to_string();
  std::optional<config::LoadedCredentials> credentials;
  if (loaded) {
    // Re-read on every reload, so a changed password takes effect with `systemctl reload`.
    auto read = load_credentials(*loaded);
    if (read) credentials = *read;
    if (!read) problem = read.error().to_string();
  }
  if (problem.empty() && !(loaded->metrics_listen == listening_on_)) {
    if (auto bound = listen(loaded->metrics_listen); !bound) problem = bound.error();
  }
  metrics_.record_config_load("yaml", problem.empty(), 0, Clock::now());
  metrics_.set_config_valid("yaml", problem.empty());
  if (!problem.empty()) {
    log_config_event(message_ids::kConfigRejected, Priority::kError,
                     "configuration rejected, keeping the running one: " + problem);
    notify_ready(status());
    return;
  }
  bool proxy_file_moved = loaded->proxy_file != config_.proxy_file;
  config_ = *loaded;
  credentials_ = std::move(credentials);
  spdlog::set_level(spdlog_level(config_.log_level));
  registry_.set_settings(config_.health);
  if (proxy_file_moved) {
    load_proxy_file();
    watch_proxy_file();
  }
  apply_plan();
  log_config_event(message_ids::kConfigApplied, Priority::kInfo,
                   "configuration " + config_.source + " applied: " + status());
  notify_ready(status());
}

void Daemon::reload_proxy_file() {
  if (stopping_) return;
  // A rejected file changes nothing: the last good proxy keeps being probed on schedule.
  if (load_proxy_file()) {
    apply_plan();
  } else {
    notify_status(status());
  }
}

bool Daemon::load_proxy_file() {
  auto loaded = config::load_proxy_file(config_.proxy_file);
  metrics_.set_config_valid("proxy", bool(loaded));
  if (!loaded) {
    proxy_file_valid_ = false;
    metrics_.record_config_load("proxy", false, 0, Clock::now());
    log_config_event(message_ids::kConfigRejected, Priority::kError,
                     fmt::format("proxy file rejected, keeping {}: {}",
                                 proxy_ ? "proxy " + proxy_->proxy.to_string() : "no proxy",
                                 loaded.error().to_string()));
    return false;
  }
  proxy_file_valid_ = true;
  std::size_t warnings = *loaded ? (*loaded)->warnings.size() : 0;
  metrics_.record_config_load("proxy", true, warnings, Clock::now());
  if (*loaded) {
    for (const auto& w : (*loaded)->warnings) spdlog::warn("{}", w.to_string());
  }
  proxy_ = *loaded;
  return true;
}

void Daemon::apply_plan() {
  config::Plan next = config::make_plan(config_, proxy_, credentials_);
  MtuSchedule mtu{config_.mtu_probe.enabled, config_.mtu_probe.interval};
  // An inotify event or SIGHUP that changed nothing leaves every target's loop running on its
  // schedule: re-applying would restart them all and probe at once (touching the file every
  // 150 ms gave 13 times the probe rate).
  if (scheduler_ && scheduler_limit_ == config_.max_concurrent_probes && next == plan_ &&
      applied_jitter_ == config_.jitter && applied_mtu_ == mtu) {
    return;
  }
  if (next.proxy != plan_.proxy) {
    if (next.proxy) {
      log_event(Event{.id = message_ids::kProxyChanged,
                      .priority = Priority::kNotice,
                      .message = "now watching proxy " + next.proxy->to_string(),
                      .proxy = next.proxy->to_string()});
    } else {
      log_config_event(message_ids::kProxyDisabled, Priority::kWarning,
                       "proxy disabled: " + config_.proxy_file + " is absent");
    }
    metrics_.set_proxy(next.proxy ? std::optional(next.proxy->to_string()) : std::nullopt);
  }
  // Keep the per-probe series (and the last outcomes) when the same targets go on through the
  // same proxy; anything else starts afresh.
  if (!same_targets(next, plan_)) probes_.forget_all();
  plan_ = std::move(next);
  // Histories of pairs still planned go on (also those restored from the state file).
  std::vector<std::string> names;
  if (plan_.proxy) {
    for (const auto& t : plan_.targets) names.push_back(t.name);
  }
  tracker_.retain(plan_.proxy ? plan_.proxy->to_string() : "none", names);
  if (!scheduler_ || scheduler_limit_ != config_.max_concurrent_probes) make_scheduler();
  scheduler_->apply(plan_.proxy ? plan_.targets : std::vector<config::PlannedTarget>{},
                    config_.jitter, mtu);
  applied_jitter_ = config_.jitter;
  applied_mtu_ = mtu;
  arm_state_timer();  // retain() may have dropped histories
  notify_status(status());
}

void Daemon::make_scheduler() {
  if (scheduler_) scheduler_->stop();
  scheduler_limit_ = config_.max_concurrent_probes;
  scheduler_ = std::make_unique<Scheduler>(
      io_.get_executor(), scheduler_limit_,
      [this](const config::PlannedTarget& t, const ProbeResult& r) {
        std::string proxy = plan_.proxy ? plan_.proxy->to_string() : "none";
        metrics_.set_probe_interval(proxy, t.name, t.interval);
        probes_.record(proxy, t.name, r);
        tracker_.record(proxy, t.name, t.expect_issuer, r, Clock::now());
        status_changed();
        arm_state_timer();
      },
      [](const config::PlannedTarget& t, const std::string& error) {
        spdlog::error("target {}: {}", t.name, error);
      },
      [this](const config::PlannedTarget& t, const MtuReport& report) {
        std::string proxy = plan_.proxy ? plan_.proxy->to_string() : "none";
        spdlog::debug("MTU comparison {} via {}: {}", t.name, proxy, to_string(report.verdict));
        tracker_.record_mtu(proxy, t.name, report, Clock::now());
        arm_state_timer();
      });
}

TextResult<void> Daemon::listen(const HostPort& address) {
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(address.host, ec);
  if (ec) return error_text("metrics_listen: '" + address.host + "' is not an IP address");
  auto server = std::make_unique<HttpServer>(
      io_, asio::ip::tcp::endpoint(ip, address.port),
      HttpServer::Handlers{{"/metrics",
                            [this] {
                              return HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8",
                                                  metrics_.serialize()};
                            }},
                           {"/",
                            [this] {
                              return HttpResponse{200, "text/html; charset=utf-8",
                                                  render_status_page(status_snapshot())};
                            }},
                           {"/status.json",
                            [this] {
                              return HttpResponse{
                                  200, "application/json",
                                  proxywatch::serialize(to_json(status_snapshot())) + "\n"};
                            }}},
      HttpServerLimits{}, web_security_);
  if (auto started = server->start(); !started) {
    return error_text("cannot listen on " + address.to_string() + ": " + started.error().message());
  }
  if (server_) server_->stop();
  server_ = std::move(server);
  listening_on_ = address;
  std::string scheme = web_security_.tls ? "https" : "http";
  spdlog::info("serving metrics on {0}://{1}/metrics and the status page on {0}://{1}/{2}", scheme,
               address.to_string(), web_security_.authorize ? " (basic auth)" : "");
  return {};
}

void Daemon::watch_proxy_file() {
  if (watcher_) watcher_->stop();
  watcher_ = std::make_unique<config::ProxyFileWatcher>(
      io_.get_executor(), [this] { reload_proxy_file(); }, config_.proxy_file,
      kProxyFileDebounce);
  if (auto started = watcher_->start(); !started) {
    spdlog::warn("cannot watch {}: {}; changes are picked up on SIGHUP only", config_.proxy_file,
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

std::string Daemon::state_path() const {
  return (std::filesystem::path(config_.state_dir) / kStateFileName).string();
}

void Daemon::load_state() {
  LoadedState loaded = load_state_file(state_path(), Clock::now());
  if (!loaded.warning.empty()) {
    log_config_event(message_ids::kStateFileSetAside, Priority::kWarning, loaded.warning);
  }
  if (!loaded.pairs.empty()) {
    spdlog::info("history of {} target(s) restored from {}", loaded.pairs.size(), state_path());
  }
  tracker_.restore(std::move(loaded.pairs), Clock::now());
}

// Saves a few seconds after the history changed: a crash loses at most that much of it. The
// timer is armed by a change, so an idle daemon is not woken to find nothing to save.
void Daemon::arm_state_timer() {
  if (state_timer_armed_ || stopping_) return;
  state_timer_armed_ = true;
  state_timer_.expires_after(kStateSaveInterval);
  state_timer_.async_wait([this](auto ec) {
    state_timer_armed_ = false;
    if (ec || stopping_) return;
    if (registry_.take_dirty()) save_state();
    // glibc keeps what a burst of probes (64 TLS connections at once) or a scrape freed; give
    // it back to the kernel while quiet (docs/benchmarks.md: 100 targets, 21.4 -> 17.5 MiB).
    malloc_trim(0);
  });
}

// Sends STATUS= once the probes ending within kStatusCoalescing have all been recorded.
void Daemon::status_changed() {
  if (status_timer_armed_ || stopping_) return;
  status_timer_armed_ = true;
  status_timer_.expires_after(kStatusCoalescing);
  status_timer_.async_wait([this](auto ec) {
    status_timer_armed_ = false;
    if (!ec && !stopping_) notify_status(status());
  });
}

void Daemon::save_state() {
  auto written = write_state_file(state_path(), state_to_json(registry_.snapshot(), Clock::now()));
  std::string error = written ? "" : written.error();
  // One warning per kind of failure (an unwritable state_dir would otherwise warn every save).
  if (!error.empty() && error != state_error_) {
    spdlog::warn("cannot save the history: {}; it will not survive a restart", error);
  }
  if (error.empty() && !state_error_.empty())
    spdlog::info("history saved again to {}", state_path());
  state_error_ = error;
}

std::string Daemon::status() const {
  std::string file_note = proxy_file_valid_ ? "" : " (proxy file invalid: keeping last good)";
  if (!plan_.proxy) return "proxy disabled: " + config_.proxy_file + " absent" + file_note;
  std::vector<std::string> names;
  for (const auto& t : plan_.targets) names.push_back(t.name);
  return fmt::format("proxy {}: {}{}", plan_.proxy->to_string(),
                     registry_.summary(plan_.proxy->to_string(), names), file_note);
}

// The proxy file's modification time, when it exists.
static std::optional<WallTime> modified_at(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return Clock::from_time_t(st.st_mtim.tv_sec) +
         std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(st.st_mtim.tv_nsec));
}

StatusSnapshot Daemon::status_snapshot() const {
  StatusSnapshot s{.version = PROXYWATCH_VERSION,
                   .generated = Clock::now(),
                   .proxy = plan_.proxy ? plan_.proxy->to_string() : "",
                   .proxy_file = config_.proxy_file,
                   .proxy_file_valid = proxy_file_valid_,
                   .proxy_file_changed = modified_at(config_.proxy_file)};
  std::string proxy = plan_.proxy ? plan_.proxy->to_string() : "none";
  for (const config::PlannedTarget& t : plan_.targets) {
    const Tracker* tracker = registry_.find({proxy, t.name});
    s.targets.push_back(target_status(t.name, t.spec.target.to_string(), t.spec.expect_denied,
                                      tracker ? &tracker->history() : nullptr));
  }
  return s;
}

int run_daemon_command(const std::vector<std::string>& args) {
  auto parsed = CliArgs::parse(args, {"--config", "--log-target"}, {"--help"});
  if (!parsed) {
    std::cerr << "proxywatch daemon: " << parsed.error() << "\n";
    return 2;
  }
  if (parsed->has("--help")) {
    std::cout << "usage: proxywatch daemon [--config FILE] [--log-target auto|journal|stderr]\n";
    return 0;
  }
  DaemonOptions options;
  if (auto path = parsed->value("--config")) {
    options.config_path = *path;
    options.config_explicit = true;
  }
  if (auto target = parsed->value("--log-target")) {
    auto t = parse_log_target(*target);
    if (!t) {
      std::cerr << "proxywatch daemon: --log-target '" << *target
                << "' is not auto, journal or stderr\n";
      return 2;
    }
    options.log_target = *t;
  }
  init_logging(options.log_target, spdlog::level::info);
  asio::io_context io;
  Daemon daemon(io, options);
  if (auto started = daemon.start(); !started) {
    spdlog::critical("cannot start: {}", started.error());
    return 1;
  }
  io.run();
  return 0;
}

}  // namespace proxywatch
