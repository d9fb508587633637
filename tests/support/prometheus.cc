// Prometheus and Alertmanager: their configuration files, start and stop, and their HTTP APIs
// read with the plain loopback GET of scrape.h, Boost.URL for the query strings and Boost.JSON
// for the answers.
#include "tests/support/prometheus.h"
#include "tests/support/server_limits.h"

#include "tests/support/local_port.h"
#include "tests/support/scrape.h"
#include "tests/support/wait.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>

#include <regex>
#include <sstream>
#include <stdexcept>

namespace proxywatch::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// The exporter-toolkit line both log once their listener is open; it tells our server from a
// stranger who took the port meanwhile.
std::string listening_line(std::uint16_t port) {
  return "msg=\"Listening on\" address=127.0.0.1:" + std::to_string(port);
}

// Waits for the announcement and then for /-/ready to answer; false if the child exited or
// `deadline` passed.
bool wait_until_ready(ChildProcess& child, std::uint16_t port, std::chrono::milliseconds deadline) {
  const std::string line = listening_line(port);
  const auto announced = [&] { return child.log().find(line) != std::string::npos; };
  if (wait_for_listener(child, port, announced, deadline) != ListenerState::kListening)
    return false;
  return wait_until([&] { return !http_get(port, "/-/ready").empty() || !child.running(); },
                    deadline) &&
         child.running();
}

std::string json_quoted(const std::string& text) {
  return json::serialize(json::value(text));
}

QueryAnswer to_answer(const json::value& v) {
  QueryAnswer a;
  const json::object* o = v.if_object();
  if (!o) {
    a.error = "no JSON answer";
    return a;
  }
  const json::value* status = o->if_contains("status");
  a.ok = status && status->is_string() && status->get_string() == "success";
  if (const json::value* e = o->if_contains("error"); e && e->is_string()) {
    a.error = std::string(e->get_string());
  }
  const json::value* data = o->if_contains("data");
  if (!data || !data->is_object()) return a;
  if (const json::value* t = data->get_object().if_contains("resultType"); t && t->is_string()) {
    a.result_type = std::string(t->get_string());
  }
  if (const json::value* r = data->get_object().if_contains("result"); r && r->is_array()) {
    a.result = r->get_array();
  }
  return a;
}

}  // namespace

std::string scale_durations(const std::string& yaml, int divisor) {
  static const std::regex timing(
      R"(^(\s*(?:- )?(?:for|interval|group_wait|group_interval|repeat_interval):\s*)(\S+)\s*$)");
  static const std::regex duration(R"(^(\d+)(ms|s|m|h)$)");
  std::istringstream in(yaml);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    std::smatch d;
    if (std::regex_match(line, m, timing)) {
      const std::string value = m[2].str();
      if (!std::regex_match(value, d, duration)) {
        throw std::runtime_error("scale_durations: cannot scale `" + line + "`");
      }
      const long long unit_ms = d[2] == "ms"  ? 1
                                : d[2] == "s" ? 1000
                                : d[2] == "m" ? 60'000
                                              : 3'600'000;
      line = m[1].str() + std::to_string(std::stoll(d[1].str()) * unit_ms / divisor) + "ms";
    }
    out += line + "\n";
  }
  return out;
}

json::value get_json(std::uint16_t port, const std::string& path,
                     const std::vector<std::pair<std::string, std::string>>& params) {
  boost::urls::url url;
  url.set_path(path);
  // Every reserved character percent-encoded: Prometheus (Go's form parsing) reads a bare `+`
  // in a query string as a space, so `a + b` and `.+` would arrive changed.
  for (const auto& [key, value] : params) {
    url.encoded_params().append({boost::urls::encode(key, boost::urls::unreserved_chars),
                                 boost::urls::encode(value, boost::urls::unreserved_chars)});
  }
  const std::string body = http_get(port, std::string(url.buffer()));
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  return ec ? json::value() : v;
}

Alertmanager::Alertmanager()
    : Alertmanager(
          "route:\n  receiver: discard\n  group_wait: 1s\n"
          "  group_interval: 1s\n  repeat_interval: 1h\n"
          "receivers:\n  - name: discard\n") {}

Alertmanager::Alertmanager(const std::string& config_yaml) : dir_("proxywatch-alertmanager") {
  const auto conf = dir_.write_file("alertmanager.yml", config_yaml);
  for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
    const std::uint16_t port = pick_free_port();
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"prometheus-alertmanager", "--config.file=" + conf.string(),
                                 "--storage.path=" + (dir_.path() / "data").string(),
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port),
                                 "--cluster.listen-address=", "--log.level=info"},
        dir_.path() / "alertmanager.log");
    if (wait_until_ready(*process_, port, 20s)) {
      port_ = port;
      return;
    }
    process_->terminate();
  }
  throw std::runtime_error("alertmanager did not start; its log ends with:\n" +
                           tail(process_->log()));
}

Alertmanager::~Alertmanager() {
  if (process_) process_->terminate();
}

std::optional<std::vector<AmAlert>> Alertmanager::alerts() const {
  std::vector<AmAlert> alerts;
  const json::value v = get_json(port_, "/api/v2/alerts");
  if (!v.is_array()) return std::nullopt;
  for (const json::value& a : v.get_array()) {
    AmAlert alert;
    if (const auto* labels = a.as_object().if_contains("labels"); labels && labels->is_object()) {
      for (const auto& [key, value] : labels->get_object()) {
        if (value.is_string()) alert.labels[std::string(key)] = std::string(value.get_string());
      }
    }
    if (const auto* status = a.as_object().if_contains("status"); status && status->is_object()) {
      if (const auto* state = status->get_object().if_contains("state");
          state && state->is_string())
        alert.state = std::string(state->get_string());
    }
    alerts.push_back(std::move(alert));
  }
  return alerts;
}

Prometheus::Prometheus(Options options)
    : dir_("proxywatch-prometheus"), options_(std::move(options)) {
  set_targets({});
  for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
    const std::uint16_t port = pick_free_port();
    const auto conf = dir_.write_file("prometheus.yml", config(port));
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"prometheus", "--config.file=" + conf.string(),
                                 "--storage.tsdb.path=" + (dir_.path() / "data").string(),
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port),
                                 "--log.level=info"},
        dir_.path() / "prometheus.log");
    if (wait_until_ready(*process_, port, 30s)) {
      port_ = port;
      return;
    }
    process_->terminate(10s);
  }
  throw std::runtime_error("prometheus did not start; its log ends with:\n" +
                           tail(process_->log()));
}

Prometheus::~Prometheus() {
  if (process_) process_->terminate(10s);
}

std::string Prometheus::config(std::uint16_t port) const {
  const std::string every = std::to_string(options_.interval.count()) + "ms";
  std::string text = "global:\n  scrape_interval: " + every + "\n  scrape_timeout: " + every +
                     "\n  evaluation_interval: " + every + "\n";
  text += "rule_files:\n";
  for (const auto& f : options_.rule_files) text += "  - " + json_quoted(f.string()) + "\n";
  if (options_.rule_files.empty()) text += "  []\n";
  if (options_.alertmanager_port != 0) {
    text += "alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['127.0.0.1:" +
            std::to_string(options_.alertmanager_port) + "']\n";
  }
  // The fleet's scrape job of docs/fleet.md: file_sd, the appliance name as instance. The
  // self-scrape makes `up` series of another job exist, as on any real Prometheus.
  text +=
      "scrape_configs:\n"
      "  - job_name: proxywatch\n"
      "    file_sd_configs:\n"
      "      - files: [" +
      json_quoted((dir_.path() / "targets" / "*.yml").string()) +
      "]\n"
      "        refresh_interval: 1s\n"
      "    relabel_configs:\n"
      "      - source_labels: [__address__]\n"
      "        target_label: address\n"
      "      - source_labels: [appliance]\n"
      "        target_label: instance\n"
      "      - action: labeldrop\n"
      "        regex: appliance\n" +
      options_.job_extra +
      "  - job_name: prometheus\n"
      "    static_configs:\n"
      "      - targets: ['127.0.0.1:" +
      std::to_string(port) + "']\n";
  return text;
}

void Prometheus::set_targets(const std::vector<ScrapeTarget>& targets) const {
  std::filesystem::create_directories(dir_.path() / "targets");
  std::string text = targets.empty() ? "[]\n" : "";
  for (const ScrapeTarget& t : targets) {
    text += "- targets: ['127.0.0.1:" + std::to_string(t.port) +
            "']\n  labels:\n    appliance: " + json_quoted(t.appliance) + "\n";
    for (const auto& [name, value] : t.labels) {
      text += "    " + name + ": " + json_quoted(value) + "\n";
    }
  }
  // Written outside the watched pattern, then renamed into it.
  const auto tmp = dir_.write_file("targets.yml.tmp", text);
  std::filesystem::rename(tmp, dir_.path() / "targets" / "fleet.yml");
}

QueryAnswer Prometheus::query(const std::string& expr) const {
  return to_answer(get_json(port_, "/api/v1/query", {{"query", expr}}));
}

QueryAnswer Prometheus::query_range(const std::string& expr, std::chrono::seconds range,
                                    std::chrono::seconds step) const {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return to_answer(get_json(port_, "/api/v1/query_range",
                            {{"query", expr},
                             {"start", std::to_string(now - range.count())},
                             {"end", std::to_string(now)},
                             {"step", std::to_string(step.count())}}));
}

json::array Prometheus::alerts() const {
  const json::value v = get_json(port_, "/api/v1/alerts");
  const json::value* data = v.is_object() ? v.get_object().if_contains("data") : nullptr;
  if (!data || !data->is_object()) return {};
  const json::value* list = data->get_object().if_contains("alerts");
  return list && list->is_array() ? list->get_array() : json::array();
}

}  // namespace proxywatch::testing
