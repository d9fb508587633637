// The history for machines: the JSON document `proxywatch history --json` prints and
// `/history.json` serves (one builder, so both are the same), and the CSV of
// `proxywatch history --csv`. Both follow docs/json.md and docs/history.md: integers, `*_us`
// and `*_unix_ms`; keys and columns may be added, never renamed or removed.
#pragma once

#include <cstddef>
#include <string>

#include <boost/json/object.hpp>

#include "daemon/history_request.h"

namespace proxywatch {

// {"format": "proxywatch-history", "version": 1, "proxywatch", "from_unix_ms", "to_unix_ms",
//  "proxy", "target", "service" (the filters; null: all), "failures_only", "probe_limit",
//  "truncated", "probes": [...], "health": [...], "diagnoses": [...]}; docs/history.md lists
// each member. `probe_limit`: the most probes one answer holds (truncated: more matched).
boost::json::object history_json(const HistoryReport& report, std::size_t probe_limit);

// One probe of history_json's "probes".
boost::json::object probe_record_json(const ProbeRecord& probe);

// The CSV header row, then one row per probe of `report` (RFC 4180: CRLF line ends, fields
// with a comma, a quote or a line break in double quotes, quotes doubled).
std::string history_csv(const HistoryReport& report);

// `at` as RFC 3339 in UTC with milliseconds: "2026-12-04T02:03:12.345Z".
std::string rfc3339_utc(WallTime at);

}  // namespace proxywatch
