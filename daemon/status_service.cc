// The listener's routes, the snapshot and the summary line.
#include "daemon/status_service.h"

#include <sys/stat.h>

#include <chrono>
#include <future>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>

#include "common/history/health_rules.h"
#include "common/output/json/json_fields.h"
#include "common/output/status/status_json.h"
#include "common/output/status/status_page.h"
#include "common/output/web/gzip.h"
#include "daemon/capture_route.h"
#include "daemon/evidence_store.h"
#include "daemon/history_json_route.h"
#include "daemon/history_page_route.h"
#include "daemon/history_request.h"
#include "daemon/runbook_route.h"

namespace proxywatch {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::system_clock;
using Steady = std::chrono::steady_clock;

// A snapshot is reused for this long even when the status changed (a page requested in a loop
// costs the probing thread at most 10 snapshots a second), and at most kSnapshotMaxAge when
// nothing was said to change.
constexpr std::chrono::milliseconds kSnapshotReuse{100};
constexpr std::chrono::seconds kSnapshotMaxAge{2};
// How long a page request waits for the probing thread to build a snapshot: up to
// kSnapshotWait when there is none yet (then 503), up to kSnapshotStandIn when the last one can
// be shown instead (it is adopted once built). That thread is busy for longer only during a
// reload of thousands of targets or when the host is overloaded.
constexpr std::chrono::seconds kSnapshotWait{5};
constexpr std::chrono::milliseconds kSnapshotStandIn{100};
constexpr std::chrono::milliseconds kSnapshotPoll{20};

// The file's modification time, when it exists.
std::optional<WallTime> modified_at(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return Clock::from_time_t(st.st_mtim.tv_sec) +
         std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(st.st_mtim.tv_nsec));
}

// The listener's refusals (docs/metrics.md, "The listener"), read at each scrape.
std::vector<prometheus::MetricFamily> listener_families(const HttpServerStats& stats) {
  auto counter = [](const char* name, const char* help, std::uint64_t value) {
    prometheus::ClientMetric metric;
    metric.counter.value = static_cast<double>(value);
    return prometheus::MetricFamily{name, help, prometheus::MetricType::Counter, {metric}};
  };
  return {counter("proxywatch_web_auth_failures_total",
                  "Requests to the listener with a wrong password or an unknown user (verified)",
                  stats.auth_failures),
          counter("proxywatch_web_auth_throttled_total",
                  "Requests answered 429 unverified: the client sent too many wrong passwords",
                  stats.auth_throttled),
          counter("proxywatch_web_busy_total",
                  "Requests answered 503: passwords waiting for a bcrypt worker, or answer "
                  "bodies held for slow readers, were at their limit",
                  stats.busy),
          counter("proxywatch_web_evictions_total",
                  "Idle or slow connections closed to make room for a new one", stats.evictions)};
}

}  // namespace

struct StatusService::Published {
  std::shared_ptr<const StatusSnapshot> snapshot;
  std::uint64_t generation = 0;
  Steady::time_point built;
  std::shared_ptr<const std::string> page{};  // rendered on first request
  std::shared_ptr<const std::string> json{};
};

StatusService::StatusService(asio::io_context& io, Metrics& metrics, const PairRegistry& registry,
                             const config::Plan& plan, const ConfigState& config)
    : io_(io), metrics_(metrics), registry_(registry), plan_(plan), config_(config) {}

StatusService::~StatusService() {
  stop();
  // The listener's thread has ended: nothing else touches the servers; its io_context (and
  // the sessions still queued on it) goes with listener_, after them.
  server_.reset();
  retired_.clear();
}

void StatusService::adopt_pending() {
  try {
    published_ = std::make_shared<Published>(Published{
        .snapshot = pending_.get(), .generation = pending_generation_, .built = pending_started_});
  } catch (const std::future_error&) {
    // The probing thread ended without building it (the daemon is stopping).
  }
}

std::shared_ptr<StatusService::Published> StatusService::published() {
  const Steady::time_point now = Steady::now();
  const std::uint64_t generation = generation_.load();
  if (pending_.valid() && pending_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
    adopt_pending();  // a build asked for earlier finished meanwhile
  }
  if (published_ &&
      (now - published_->built < kSnapshotReuse ||
       (published_->generation == generation && now - published_->built < kSnapshotMaxAge))) {
    return published_;
  }
  if (!pending_.valid()) {
    auto promise = std::make_shared<std::promise<std::shared_ptr<const StatusSnapshot>>>();
    pending_ = promise->get_future();
    pending_generation_ = generation;
    pending_started_ = now;
    asio::post(io_, [this, promise] {
      if (!stopping_) promise->set_value(std::make_shared<const StatusSnapshot>(snapshot()));
    });
  }
  // Long when there is nothing to show yet; briefly when the last snapshot can stand in (its
  // page says when it was made), so that a busy probing thread holds the listener back little.
  const Steady::time_point deadline = now + (published_ ? kSnapshotStandIn : kSnapshotWait);
  while (!stopping_ && Steady::now() < deadline) {
    if (pending_.wait_for(kSnapshotPoll) == std::future_status::ready) {
      adopt_pending();
      break;
    }
  }
  return published_;  // the newest, or none
}

std::string StatusService::render_metrics(bool gzip) {
  const std::vector<prometheus::MetricFamily> extra = listener_families(*listener_stats_);
  if (gzip) {
    GzipStream stream;
    metrics_.write([&](std::string_view piece) { stream.append(piece); }, extra);
    return stream.finish();
  }
  std::string text;
  text.reserve(last_metrics_size_ + last_metrics_size_ / 8);
  metrics_.write([&](std::string_view piece) { text.append(piece); }, extra);
  last_metrics_size_ = text.size();
  return text;
}

HttpServer::Handlers StatusService::routes() {
  // The history in state_dir, read-only per request (WAL: the writer thread is never blocked).
  const std::string history = history_database_path(config_.config().state_dir);
  auto page = [this](bool json) {
    std::shared_ptr<Published> now = published();
    if (!now) return HttpResponse{503, "text/plain; charset=utf-8", "the daemon is busy\n"};
    std::shared_ptr<const std::string>& body = json ? now->json : now->page;
    if (!body) {
      body = std::make_shared<const std::string>(json ? serialize(to_json(*now->snapshot)) + "\n"
                                                      : render_status_page(*now->snapshot));
    }
    return HttpResponse{.content_type = json ? "application/json" : "text/html; charset=utf-8",
                        .shared_body = body};
  };
  return {{"/metrics",
           [this](const HttpQuery&) {
             // Gzipped as it is written when the scraper asks (Prometheus does): a tenth of the
             // bytes to write, and only those are held (10,000 targets: 1.2 of 43 MiB).
             return HttpResponse{.status = 200,
                                 .content_type = std::string(kMetricsContentType),
                                 .render = [this](bool gzip) { return render_metrics(gzip); }};
           }},
          {"/", [page](const HttpQuery&) { return page(false); }},
          {"/history.json", history_json_route(history)},
          {"/history", history_page_handler(history, [] { return Clock::now(); })},
          {"/captures/", capture_file_handler(captures_dir(config_.config().state_dir))},
          {"/runbook/", runbook_handler()},
          {"/status.json", [page](const HttpQuery&) { return page(true); }}};
}

Result<void> StatusService::listen(const HostPort& address, const HttpSecurity& security) {
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(address.host, ec);
  if (ec) return error_text("metrics_listen: '" + address.host + "' is not an IP address");
  // Against DNS rebinding: only requests for this listener's own names (host_allow_list.h).
  HttpSecurity checked = security;
  auto hosts = std::make_shared<HostCheck>(
      std::make_shared<const HostAllowList>(ip, config_.config().metrics_allowed_hosts));
  checked.allow_host = [hosts](std::string_view host) { return hosts->load()->allows(host); };
  auto server =
      std::make_unique<HttpServer>(listener_.context(), asio::ip::tcp::endpoint(ip, address.port),
                                   routes(), HttpServerLimits{}, checked, listener_.workers());
  server->share_stats(listener_stats_);
  // Binding here is safe: nothing runs on the new server's acceptor until start() queues it.
  if (auto started = server->start(); !started) {
    return error_text("cannot listen on " + address.to_string() + ": " + started.error().message);
  }
  if (server_) {
    HttpServer* old = server_.get();
    asio::post(listener_.context(), [old] { old->stop(); });
    retired_.push_back(std::move(server_));
  }
  server_ = std::move(server);
  address_ = address;
  hosts_ = std::move(hosts);
  listen_ip_ = ip;
  std::string scheme = security.tls ? "https" : "http";
  spdlog::info("serving metrics on {0}://{1}/metrics and the status page on {0}://{1}/{2}", scheme,
               address.to_string(), security.users ? " (basic auth)" : "");
  return {};
}

void StatusService::allow_hosts(const std::vector<std::string>& names) {
  if (hosts_) hosts_->store(std::make_shared<const HostAllowList>(listen_ip_, names));
}

void StatusService::stop() {
  // A page request waiting for a snapshot gives up, so the listener's thread can end.
  stopping_ = true;
  listener_.stop();
  // Its thread has ended: the servers are stopped from here.
  if (server_) server_->stop();
  for (auto& retired : retired_) retired->stop();
}

StatusSnapshot StatusService::snapshot() const {
  StatusSnapshot s{.version = PROXYWATCH_VERSION,
                   .generated = Clock::now(),
                   .proxy = plan_.proxy ? plan_.proxy->to_string() : "",
                   .proxy_file = config_.proxy_file(),
                   .proxy_file_valid = config_.proxy_file_valid(),
                   .proxy_file_changed = modified_at(config_.proxy_file())};
  s.local_errors = local_error_counts();
  std::string proxy = plan_.proxy_label();
  for (const config::PlannedTarget& t : plan_.targets) {
    const Tracker* tracker = registry_.find({proxy, t.name});
    s.targets.push_back(target_status(t.name, t.spec.target_text(), t.service, t.spec.expect_denied,
                                      tracker ? &tracker->history() : nullptr));
    s.targets.back().confirming = tracker && !config_.config().confirm.delays.empty() &&
                                  verdict_unsettled(tracker->history(), registry_.settings());
    const CaptureFileInfo* capture = evidence_ ? evidence_->latest({proxy, t.name}) : nullptr;
    if (capture) {
      s.targets.back().capture = CaptureLink{.file = capture->name,
                                             .at = capture->at,
                                             .outcome = capture->outcome,
                                             .reading = capture->reading,
                                             .timeline = capture->timeline};
    }
  }
  return s;
}

std::string StatusService::summary() const {
  std::string file_note =
      config_.proxy_file_valid() ? "" : " (proxy file invalid: keeping last good)";
  if (!plan_.proxy) return "proxy disabled: " + config_.proxy_file() + " absent" + file_note;
  return fmt::format("proxy {}: {}{}", plan_.proxy_label(),
                     registry_.summary(plan_.proxy_label(), plan_.target_names()), file_note);
}

}  // namespace proxywatch
