// `/history.json` on the daemon's listener: the document of `proxywatch history --json`
// (daemon/history_export.h) for the same parameters as a query string — `since=6h`, or
// `from=T&to=T`, `target`, `service`, `proxy`, `failures=1` — read from the probe log opened
// read-only per request, so it never waits on the daemon's writer (WAL). At most
// kHistoryRouteProbeLimit probes (the newest, `"truncated": true` when cut), so no request
// makes the daemon build a huge answer. No database yet: 200 with empty lists. Bad
// parameters: 400 with a sentence saying what to write.
#pragma once

#include <cstddef>
#include <string>

#include "common/output/web/http_server.h"

namespace proxywatch {

inline constexpr std::size_t kHistoryRouteProbeLimit = 10'000;

// The handler of /history.json reading the database at `database`.
HttpServer::Handler history_json_route(std::string database);

}  // namespace proxywatch
