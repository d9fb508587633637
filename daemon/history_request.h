// What `proxywatch history` and `/history.json` are asked for: the range (--since DURATION, or
// --from T --to T; the last 24 h by default), the pair filters and whether only failures are
// wanted, read the same way from a command line and from a query string, so both answer the
// same question with the same words. Bad input is an error of one line saying what to write
// instead. And the reading itself: the probes and intervals of a request out of a database
// opened read-only (ProbeStore::open_read_only), bounded.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/output/store/probe_store.h"

namespace proxywatch {

// The range when none is given.
inline constexpr std::chrono::hours kDefaultHistorySpan{24};

// The database of the daemon whose state directory is `state_dir`.
std::string history_database_path(const std::string& state_dir);

// The parameters as written: command-line flags without their "--", query parameters as they
// are. nullopt: not given.
struct HistoryParams {
  std::optional<std::string> since{};  // DURATION: "90s", "30m", "6h", "7d", "1d12h"
  std::optional<std::string> from{};   // T: "2026-12-04T02:00:00Z", or a date (its 00:00 UTC)
  std::optional<std::string> to{};
  std::optional<std::string> target{};
  std::optional<std::string> service{};  // a name of common/service.h
  std::optional<std::string> proxy{};    // "host:port", or "none"
  bool failures = false;
};

// The store's query for `params` at `now`. `prefix` goes before each parameter's name in
// errors ("--" for flags, "" for a query string). Errors: an unreadable duration or time, a
// range that ends before it starts, --since beside --from/--to, an unknown service.
Result<HistoryQuery> parse_history_params(const HistoryParams& params, WallTime now,
                                          std::string_view prefix);

// A duration of the YAML's form (config/duration.h, days included): "7d", "1d12h", "6h".
// Positive; whole milliseconds.
Result<std::chrono::milliseconds> parse_history_duration(std::string_view text);
// An RFC 3339 time ("2026-12-04T02:00:00Z", "2026-12-04T03:00:00+01:00", seconds and fraction
// optional) or a date ("2026-12-04": its midnight UTC).
Result<WallTime> parse_history_time(std::string_view text);

// What one request read: the query, the probes (oldest first, at most the limit: the newest),
// the intervals that overlap the range and the pairs they belong to.
struct HistoryReport {
  HistoryQuery query;
  std::vector<ProbeRecord> probes{};
  bool truncated = false;  // more probes matched than the limit
  std::vector<HealthInterval> health{};
  std::vector<DiagnosisInterval> diagnoses{};
  std::vector<ProbeStore::PairInfo> pairs{};  // those matching the query's filters
};

// Reads `query` from `store`: at most `max_probes` probes (the newest).
Result<HistoryReport> read_history(const ProbeStore& store, HistoryQuery query,
                                   std::size_t max_probes);

}  // namespace proxywatch
