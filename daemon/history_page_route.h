// `GET /history?target=NAME&range=3h|1d|7d|30d` on the daemon's listener: a target's history
// page (common/output/status/history_page.h) read from the probe log in state_dir. The
// database is opened read-only per request (WAL: the daemon's writer is never blocked) and read
// on the listener's thread; the 30-day page of one target at a 60 s interval takes a few tens
// of milliseconds (docs/benchmarks.md). A request that names no target answers 400, an unknown
// range or a target the log has never seen 404, each with one plain sentence; before the
// daemon has written its log the page says "No history yet" (200).
#pragma once

#include <functional>
#include <string>

#include "common/history/outcome_window.h"
#include "common/output/web/http_server.h"

namespace proxywatch {

// The answer to a request for the history page with `query`, from the probe log at `db_path`,
// the range ending at `now`.
HttpResponse history_page_response(const std::string& db_path, WallTime now,
                                   const HttpQuery& query);

// The /history handler: history_page_response with the time from `clock` at each request.
HttpServer::Handler history_page_handler(std::string db_path, std::function<WallTime()> clock);

}  // namespace proxywatch
