// The /history.json handler: the query string read as `proxywatch history` reads its flags.
#include "daemon/history_json_route.h"

#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/output/json/json_fields.h"
#include "daemon/history_export.h"
#include "daemon/history_request.h"

namespace proxywatch {
namespace {

HttpResponse history_route_error(unsigned status, std::string sentence) {
  return HttpResponse{status, "text/plain; charset=utf-8", std::move(sentence) + "\n"};
}

// failures=1 / true / (empty) asks for failures only; 0 / false for every probe.
Result<bool> history_failures_param(const HttpQuery& query) {
  auto value = query.get("failures");
  if (!value || *value == "0" || *value == "false") return false;
  if (value->empty() || *value == "1" || *value == "true") return true;
  return error_text("failures: write failures=1 for the failed probes only, or leave it out");
}

HttpResponse history_json_answer(const std::string& database, const HttpQuery& http) {
  auto failures = history_failures_param(http);
  if (!failures) return history_route_error(400, failures.error().message);
  HistoryParams params{.since = http.get("since"),
                       .from = http.get("from"),
                       .to = http.get("to"),
                       .target = http.get("target"),
                       .service = http.get("service"),
                       .proxy = http.get("proxy"),
                       .failures = *failures};
  auto query = parse_history_params(params, std::chrono::system_clock::now(), "");
  if (!query) return history_route_error(400, query.error().message);
  HistoryReport report{.query = *query};
  auto store = ProbeStore::open_read_only(database);
  if (store) {
    auto read = read_history(**store, *query, kHistoryRouteProbeLimit);
    if (!read) {
      spdlog::warn("/history.json: cannot read {}: {}", database, read.error());
      return history_route_error(500, "cannot read the history: " + read.error().message);
    }
    report = std::move(*read);
  } else if (store.error().kind != Error::Kind::kNotFound) {
    spdlog::warn("/history.json: cannot open {}: {}", database, store.error());
    return history_route_error(500, "cannot read the history: " + store.error().message);
  }
  // Not found: the daemon has written nothing yet, which is an empty history.
  return HttpResponse{200, "application/json",
                      serialize(history_json(report, kHistoryRouteProbeLimit)) + "\n"};
}

}  // namespace

HttpServer::Handler history_json_route(std::string database) {
  return [database = std::move(database)](const HttpQuery& query) {
    return history_json_answer(database, query);
  };
}

}  // namespace proxywatch
