// The history chart's data: ranges, buckets with their percentiles, outage bands, time labels.
// The SVG drawn from them is in history_chart_svg.cc.
#include "common/output/status/history_chart.h"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

namespace proxywatch {
namespace {

namespace chrono = std::chrono;

constexpr std::array<std::string_view, 4> kRangeNames = {"3h", "1d", "7d", "30d"};

// The value at quantile `q` of the sorted `values`, between the two closest ranks.
double quantile(const std::vector<double>& values, double q) {
  double rank = q * static_cast<double>(values.size() - 1);
  auto below = static_cast<std::size_t>(rank);
  if (below + 1 >= values.size()) return values.back();
  double part = rank - static_cast<double>(below);
  return values[below] + (values[below + 1] - values[below]) * part;
}

// `t` rounded up to a multiple of `step` counted from the epoch plus `offset`.
WallTime round_up(WallTime t, chrono::seconds step, chrono::seconds offset = chrono::seconds(0)) {
  auto since = t.time_since_epoch() - offset;
  // Division truncates toward zero: down for times after the anchor, up for times before it.
  WallTime at = WallTime(offset + (since / step) * step);
  return at < t ? at + step : at;
}

std::string tick_label(WallTime at, HistoryLayout::Labels labels) {
  static constexpr std::array<std::string_view, 7> kWeekdays = {"Sun", "Mon", "Tue", "Wed",
                                                                "Thu", "Fri", "Sat"};
  std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::string date = fmt::format("{:02}-{:02}", tm.tm_mon + 1, tm.tm_mday);
  switch (labels) {
    case HistoryLayout::Labels::kClock:
      // Midnight names the day instead, so a 1-day chart shows where the date changes.
      if (tm.tm_hour == 0 && tm.tm_min == 0) return date;
      return fmt::format("{:02}:{:02}", tm.tm_hour, tm.tm_min);
    case HistoryLayout::Labels::kWeekday:
      return fmt::format("{} {}", kWeekdays[static_cast<std::size_t>(tm.tm_wday)], date);
    case HistoryLayout::Labels::kDate:
      return date;
  }
  return date;
}

}  // namespace

std::string_view to_string(HistoryRange range) {
  return kRangeNames[static_cast<std::size_t>(range)];
}

std::optional<HistoryRange> parse_history_range(std::string_view text) {
  for (HistoryRange r : kAllHistoryRanges) {
    if (to_string(r) == text) return r;
  }
  return std::nullopt;
}

HistoryLayout history_layout(HistoryRange range) {
  using Labels = HistoryLayout::Labels;
  switch (range) {
    case HistoryRange::k3h:  // 1-minute columns: one probe each at the default interval
      return {chrono::hours(3), 180, chrono::minutes(30), Labels::kClock};
    case HistoryRange::k1d:  // 10 minutes
      return {chrono::hours(24), 144, chrono::hours(3), Labels::kClock};
    case HistoryRange::k7d:  // 1 hour
      return {chrono::days(7), 168, chrono::days(1), Labels::kWeekday};
    case HistoryRange::k30d:  // 4 hours; a label every Monday
      return {chrono::days(30), 180, chrono::days(7), Labels::kDate};
  }
  return history_layout(kDefaultHistoryRange);
}

TimeSpan history_span(HistoryRange range, WallTime now) {
  HistoryLayout layout = history_layout(range);
  chrono::seconds bucket = layout.length / static_cast<std::int64_t>(layout.buckets);
  WallTime to = round_up(now, bucket);
  return {to - layout.length, to};
}

std::vector<ChartBucket> chart_buckets(const std::vector<ProbePoint>& points, WallTime from,
                                       WallTime to, std::size_t count) {
  if (count == 0 || (to - from).count() < static_cast<std::int64_t>(count)) return {};
  // Equal widths; the last bucket also takes the nanoseconds the division left over.
  WallTime::duration width = (to - from) / static_cast<std::int64_t>(count);
  std::vector<ChartBucket> buckets(count);
  for (std::size_t i = 0; i < count; ++i) {
    buckets[i].from = from + width * static_cast<std::int64_t>(i);
    buckets[i].to = i + 1 == count ? to : buckets[i].from + width;
  }
  std::vector<std::vector<double>> passed(count);
  for (const ProbePoint& p : points) {
    if (p.at < from || p.at >= to) continue;
    auto i = std::min(static_cast<std::size_t>((p.at - from) / width), count - 1);
    ChartBucket& b = buckets[i];
    ++b.probes;
    if (p.ok) {
      passed[i].push_back(p.seconds);
    } else {
      ++b.failed;
    }
  }
  for (std::size_t i = 0; i < count; ++i) {
    std::vector<double>& v = passed[i];
    if (v.empty()) continue;
    std::sort(v.begin(), v.end());
    ChartBucket& b = buckets[i];
    b.p10 = quantile(v, 0.10);
    b.p25 = quantile(v, 0.25);
    b.median = quantile(v, 0.50);
    b.p75 = quantile(v, 0.75);
    b.p90 = quantile(v, 0.90);
  }
  return buckets;
}

int failed_share_step(std::uint32_t failed, std::uint32_t probes) {
  if (failed == 0) return 0;
  if (std::uint64_t{failed} * 20 <= probes) return 1;
  if (std::uint64_t{failed} * 4 <= probes) return 2;
  return 3;
}

std::vector<OutageBand> outage_bands(const std::vector<HealthInterval>& health,
                                     const std::vector<DiagnosisInterval>& diagnoses, WallTime from,
                                     WallTime to) {
  std::vector<OutageBand> bands;
  for (const HealthInterval& h : health) {
    if (h.state != HealthState::kFailing) continue;
    OutageBand band{std::max(h.from, from), std::min(h.to.value_or(to), to), {}};
    if (band.to <= band.from) continue;
    for (const DiagnosisInterval& d : diagnoses) {
      bool overlaps = d.from < band.to && d.to.value_or(WallTime::max()) > band.from;
      if (overlaps && std::find(band.diagnoses.begin(), band.diagnoses.end(), d.diagnosis) ==
                          band.diagnoses.end()) {
        band.diagnoses.push_back(d.diagnosis);
      }
    }
    bands.push_back(std::move(band));
  }
  std::sort(bands.begin(), bands.end(),
            [](const OutageBand& a, const OutageBand& b) { return a.from < b.from; });
  return bands;
}

std::vector<TimeTick> time_ticks(HistoryRange range, WallTime from, WallTime to) {
  HistoryLayout layout = history_layout(range);
  // The epoch was a Thursday: 4 days later, the first Monday, anchors the weekly labels.
  chrono::seconds offset = layout.tick == chrono::days(7) ? chrono::days(4) : chrono::seconds(0);
  std::vector<TimeTick> ticks;
  for (WallTime t = round_up(from, layout.tick, offset); t < to; t += layout.tick) {
    ticks.push_back({t, tick_label(t, layout.labels)});
  }
  return ticks;
}

std::string duration_label(double seconds) {
  if (seconds <= 0) return "0";
  if (seconds >= 1) return fmt::format("{:.3g} s", seconds);
  return fmt::format("{:.3g} ms", seconds * 1000);
}

}  // namespace proxywatch
