// The /history route: the query checked, the probe log read (chart points, intervals, the
// newest failures), the page rendered.
#include "daemon/history_page_route.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/escape.h"
#include "common/output/status/history_page.h"
#include "common/output/store/probe_store.h"

namespace proxywatch {
namespace {

constexpr std::string_view kHistoryHtml = "text/html; charset=utf-8";

HttpResponse history_sentence(unsigned status, std::string text) {
  return HttpResponse{status, "text/plain; charset=utf-8", std::move(text) + "\n"};
}

bool history_has_target(const ProbeStore& store, const std::string& target) {
  auto pairs = store.pairs();
  return pairs && std::any_of(pairs->begin(), pairs->end(),
                              [&](const ProbeStore::PairInfo& p) { return p.target == target; });
}

// The page's data from `store`; an error names what could not be read.
Result<HistoryPage> read_history_page(const ProbeStore& store, HistoryPage page) {
  HistoryQuery q{.from = page.span.from, .to = page.span.to, .target = page.target};
  auto points = store.points(q);
  if (!points) return points.error();
  auto health = store.health(q);
  if (!health) return health.error();
  auto diagnoses = store.diagnoses(q);
  if (!diagnoses) return diagnoses.error();
  q.failures_only = true;
  q.limit = kHistoryFailuresShown;
  auto failures = store.probes(q);
  if (!failures) return failures.error();
  page.points = std::move(*points);
  page.health = std::move(*health);
  page.diagnoses = std::move(*diagnoses);
  page.failures = std::move(*failures);
  std::reverse(page.failures.begin(), page.failures.end());  // newest first
  return page;
}

}  // namespace

HttpResponse history_page_response(const std::string& db_path, WallTime now,
                                   const HttpQuery& query) {
  HistoryRange range = kDefaultHistoryRange;
  if (auto text = query.get("range")) {
    auto parsed = parse_history_range(*text);
    if (!parsed) {
      return history_sentence(404,
                              fmt::format("There is no history range {}: the ranges are 3h, 1d, 7d "
                                          "and 30d (/history?target=NAME&range=7d).",
                                          in_quotes(*text, 40)));
    }
    range = *parsed;
  }
  std::string target = query.get("target").value_or("");
  if (target.empty()) {
    return history_sentence(
        400, "Name the target whose history to show: /history?target=NAME&range=1d.");
  }
  if (db_path.empty()) {
    return HttpResponse{200, std::string(kHistoryHtml), render_history_empty(target, range)};
  }
  auto store = ProbeStore::open_read_only(db_path);
  if (!store && store.error().kind == Error::Kind::kNotFound) {
    return HttpResponse{200, std::string(kHistoryHtml), render_history_empty(target, range)};
  }
  if (!store)
    return history_sentence(500, "The history cannot be read: " + store.error().to_string());
  if (!history_has_target(**store, target)) {
    return history_sentence(404, fmt::format("The history holds no probe of a target named {}.",
                                             in_quotes(target, 80)));
  }
  HistoryPage page{
      .target = target, .range = range, .span = history_span(range, now), .generated = now};
  auto read = read_history_page(**store, std::move(page));
  if (!read)
    return history_sentence(500, "The history cannot be read: " + read.error().to_string());
  return HttpResponse{200, std::string(kHistoryHtml), render_history_page(*read)};
}

HttpServer::Handler history_page_handler(std::string db_path, std::function<WallTime()> clock) {
  return [db_path = std::move(db_path), clock = std::move(clock)](const HttpQuery& query) {
    return history_page_response(db_path, clock(), query);
  };
}

}  // namespace proxywatch
