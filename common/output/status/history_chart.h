// The SmokePing-style chart of one target over hours to weeks (the history page,
// history_page.h): the range cut into equal time buckets, in each the percentiles of the passing
// probes' durations as grey smoke and their median as a mark coloured by the share of probes
// that failed; behind them a band for every stretch the pair was `failing`, labelled with the
// diagnoses active then. Inline SVG drawn on the server. Pure: vectors of the store's records
// in (common/history/probe_log.h), text out, time always a parameter.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/health.h"
#include "common/history/probe_log.h"

namespace proxywatch {

// The ranges the history page offers, shortest first.
enum class HistoryRange { k3h, k1d, k7d, k30d };
inline constexpr std::array<HistoryRange, 4> kAllHistoryRanges = {
    HistoryRange::k3h, HistoryRange::k1d, HistoryRange::k7d, HistoryRange::k30d};
// The page's default.
inline constexpr HistoryRange kDefaultHistoryRange = HistoryRange::k1d;

// "3h", "1d", "7d", "30d": the `range=` of the URL.
std::string_view to_string(HistoryRange range);
// The range named `text`; nullopt for any other text.
std::optional<HistoryRange> parse_history_range(std::string_view text);

// How a range is drawn: its length cut into `buckets` columns, and a time label every `tick`.
struct HistoryLayout {
  std::chrono::seconds length{};
  std::size_t buckets = 0;
  std::chrono::seconds tick{};
  enum class Labels {
    kClock,
    kWeekday,
    kDate
  } labels = Labels::kClock;  // "14:30" / "Mon 11-30" / "11-30"
};
HistoryLayout history_layout(HistoryRange range);

// The time a range covers, [from, to): it ends at `now` rounded up to a whole bucket, so the
// columns stay put between reloads.
struct TimeSpan {
  WallTime from{};
  WallTime to{};
};
TimeSpan history_span(HistoryRange range, WallTime now);

// One column of the chart: the probes that finished in [from, to).
struct ChartBucket {
  WallTime from{};
  WallTime to{};
  std::uint32_t probes = 0;
  std::uint32_t failed = 0;
  // Percentiles of the passing probes' durations, seconds; empty when none passed. (A failed
  // probe's duration is how long it took to fail, not a latency.)
  std::optional<double> p10{}, p25{}, median{}, p75{}, p90{};
};

// `points` (any order) cut into `count` equal buckets of [from, to); points outside are left
// out. Percentiles interpolate between the closest ranks.
std::vector<ChartBucket> chart_buckets(const std::vector<ProbePoint>& points, WallTime from,
                                       WallTime to, std::size_t count);

// The colour step of a bucket's share of failed probes: 0 none, 1 up to 5 %, 2 up to 25 %,
// 3 more. The legend's words for each, in order:
inline constexpr std::array<std::string_view, 4> kFailedShareSteps = {
    "none", "up to 5 %", "up to 25 %", "more than 25 %"};
int failed_share_step(std::uint32_t failed, std::uint32_t probes);

// A stretch of [from, to) in which the pair was `failing`, and the diagnoses active during it
// (each once, in the order raised).
struct OutageBand {
  WallTime from{};
  WallTime to{};
  std::vector<Diagnosis> diagnoses{};
};
// The failing intervals of `health` clipped to [from, to) (one still open ends at `to`).
std::vector<OutageBand> outage_bands(const std::vector<HealthInterval>& health,
                                     const std::vector<DiagnosisInterval>& diagnoses, WallTime from,
                                     WallTime to);

// A time label under the chart.
struct TimeTick {
  WallTime at{};
  std::string label{};  // UTC, as history_layout(range).labels says
};
std::vector<TimeTick> time_ticks(HistoryRange range, WallTime from, WallTime to);

// A duration for an axis: "0", "250 ms", "2.5 ms", "1.5 s".
std::string duration_label(double seconds);

// The chart of `points`, `health` and `diagnoses` over history_span(range, ...) = [from, to),
// as one <svg class=history> element (the history page's CSS colours it).
std::string render_history_chart(HistoryRange range, WallTime from, WallTime to,
                                 const std::vector<ProbePoint>& points,
                                 const std::vector<HealthInterval>& health,
                                 const std::vector<DiagnosisInterval>& diagnoses);

}  // namespace proxywatch
