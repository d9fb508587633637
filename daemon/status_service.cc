// The listener's routes, the snapshot and the summary line.
#include "daemon/status_service.h"

#include <sys/stat.h>

#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/ip/address.hpp>

#include "common/output/json/json_fields.h"
#include "common/output/status/status_json.h"
#include "common/output/status/status_page.h"
#include "daemon/capture_route.h"
#include "daemon/evidence_store.h"
#include "daemon/history_json_route.h"
#include "daemon/history_page_route.h"
#include "daemon/history_request.h"

namespace proxywatch {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::system_clock;

// The file's modification time, when it exists.
std::optional<WallTime> modified_at(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return Clock::from_time_t(st.st_mtim.tv_sec) +
         std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(st.st_mtim.tv_nsec));
}

}  // namespace

StatusService::StatusService(asio::io_context& io, Metrics& metrics, const PairRegistry& registry,
                             const config::Plan& plan, const ConfigState& config)
    : io_(io), metrics_(metrics), registry_(registry), plan_(plan), config_(config) {}

StatusService::~StatusService() = default;

HttpServer::Handlers StatusService::routes(const HttpSecurity& security) {
  // The history in state_dir, read-only per request (WAL: the writer thread is never blocked).
  const std::string history = history_database_path(config_.config().state_dir);
  return {{"/metrics",
           [this](const HttpQuery&) {
             return HttpResponse{200, std::string(kMetricsContentType), metrics_.serialize()};
           }},
          {"/",
           [this](const HttpQuery&) {
             return HttpResponse{200, "text/html; charset=utf-8", render_status_page(snapshot())};
           }},
          {"/history.json", history_json_route(history)},
          {"/history", history_page_handler(history, [] { return Clock::now(); })},
          {"/captures/", capture_file_handler(captures_dir(config_.config().state_dir),
                                              bool(security.authorize))},
          {"/status.json", [this](const HttpQuery&) {
             return HttpResponse{200, "application/json", serialize(to_json(snapshot())) + "\n"};
           }}};
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
  auto server = std::make_unique<HttpServer>(io_, asio::ip::tcp::endpoint(ip, address.port),
                                             routes(checked), HttpServerLimits{}, checked);
  if (auto started = server->start(); !started) {
    return error_text("cannot listen on " + address.to_string() + ": " + started.error().message);
  }
  if (server_) server_->stop();
  server_ = std::move(server);
  address_ = address;
  hosts_ = std::move(hosts);
  listen_ip_ = ip;
  std::string scheme = security.tls ? "https" : "http";
  spdlog::info("serving metrics on {0}://{1}/metrics and the status page on {0}://{1}/{2}", scheme,
               address.to_string(), security.authorize ? " (basic auth)" : "");
  return {};
}

void StatusService::allow_hosts(const std::vector<std::string>& names) {
  if (hosts_) hosts_->store(std::make_shared<const HostAllowList>(listen_ip_, names));
}

void StatusService::stop() {
  if (server_) server_->stop();
}

StatusSnapshot StatusService::snapshot() const {
  StatusSnapshot s{.version = PROXYWATCH_VERSION,
                   .generated = Clock::now(),
                   .proxy = plan_.proxy ? plan_.proxy->to_string() : "",
                   .proxy_file = config_.proxy_file(),
                   .proxy_file_valid = config_.proxy_file_valid(),
                   .proxy_file_changed = modified_at(config_.proxy_file())};
  std::string proxy = plan_.proxy_label();
  for (const config::PlannedTarget& t : plan_.targets) {
    const Tracker* tracker = registry_.find({proxy, t.name});
    s.targets.push_back(target_status(t.name, t.spec.target_text(), t.service, t.spec.expect_denied,
                                      tracker ? &tracker->history() : nullptr));
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
