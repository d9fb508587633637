// What `proxywatch history` prints for people: per pair (proxy, target, service) a summary of
// the range that answers "since when?" and "how often?" — probes, failures and their share, the
// outcomes counted, median and p95 duration of the probes that passed, the health intervals
// ("failing since 2026-12-04 02:03 UTC (3 h 12 min), diagnosis acl_block"), the diagnoses
// raised and cleared — and, when asked, every failed probe with its sentence. The layout is
// documented in docs/history.md; keep the two in step.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "daemon/history_request.h"

namespace proxywatch {

// At most this many health intervals and diagnoses per pair in the text (the newest); the
// JSON has them all.
inline constexpr std::size_t kHistoryTextIntervals = 20;

// One pair's figures over a report's range.
struct PairSummary {
  std::string proxy;
  std::string target;
  Service service = Service::kCustom;
  std::size_t probes = 0;
  std::size_t failures = 0;
  std::size_t confirmations = 0;                            // of the probes, confirmation probes
  std::vector<std::pair<Outcome, std::size_t>> outcomes{};  // those seen, in kAllOutcomes order
  std::optional<double> median_seconds{};      // of the probes that passed (a failure's time is
  std::optional<double> p95_seconds{};         // how long it took to fail, not a latency)
  std::vector<HealthInterval> health{};        // oldest first
  std::vector<DiagnosisInterval> diagnoses{};  // oldest first
};

// The summary of every pair with a probe or an interval in `report`, in the order of
// report.pairs (then any pair only the probes name).
std::vector<PairSummary> summarize_history(const HistoryReport& report);

// The text of `report` read from `source` (the database's path) at `now`; `failures`: list
// each failed probe under its pair.
std::string format_history_text(const HistoryReport& report, const std::string& source,
                                WallTime now, bool failures);

}  // namespace proxywatch
