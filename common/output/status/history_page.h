// The history page of one target (`GET /history?target=NAME&range=1d` on the daemon's
// listener, docs/history.md): links to its ranges (3 h, 1 d, 7 d, 30 d; plain links, no script),
// the SmokePing-style chart of the range (history_chart.h) with its legend, the failures of the
// range newest first with their sentences, and the diagnoses active during it. One
// self-contained HTML document: inline CSS (light and dark), no script, no external asset.
// Every name and sentence goes through html_escape (common/escape.h).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/history/probe_log.h"
#include "common/output/status/history_chart.h"

namespace proxywatch {

// Failures listed below the chart, at most (the newest); the page counts the rest.
inline constexpr std::size_t kHistoryFailuresShown = 100;

// What the page shows: a target's history over one range, as read from the probe log.
struct HistoryPage {
  std::string target{};
  HistoryRange range = kDefaultHistoryRange;
  TimeSpan span{};                             // history_span(range, generated)
  WallTime generated{};                        // when it was read
  std::vector<ProbePoint> points{};            // the range's probes, for the chart and the counts
  std::vector<HealthInterval> health{};        // overlapping the range
  std::vector<DiagnosisInterval> diagnoses{};  // overlapping the range
  std::vector<ProbeRecord> failures{};         // newest first, at most kHistoryFailuresShown
};

// The page for `page`, as served with Content-Type text/html; charset=utf-8.
std::string render_history_page(const HistoryPage& page);

// The page of `target` when there is no probe log yet (the daemon has not written one): the
// range links and "No history yet".
std::string render_history_empty(std::string_view target, HistoryRange range);

// The link to the history page of `target` over `range`, relative to the listener's root
// ("history?target=a%20b&range=7d"): percent-encoded, still to be HTML-escaped in an attribute.
std::string history_href(std::string_view target, HistoryRange range);

}  // namespace proxywatch
