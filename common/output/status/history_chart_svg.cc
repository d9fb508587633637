// The history chart as SVG: outage bands at the back, then the grid, the smoke (10th–90th
// percentile light, 25th–75th darker), the median marks in their failed-share colour, a red tick
// for a bucket in which every probe failed and a grey strip under a bucket without probes. One
// <path> per layer and colour, not an element per bucket: the 30-day chart stays a few KB.
#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>

#include <fmt/format.h>

#include "common/output/status/history_chart.h"
#include "common/output/status/status_snapshot.h"

namespace proxywatch {
namespace {

using HistOut = std::back_insert_iterator<std::string>;

// The drawing area inside the viewBox (0 0 960 280): labels of outages above it, the y axis's
// labels left of it, the time labels below.
struct HistoryArea {
  static constexpr double kLeft = 64, kRight = 950, kTop = 22, kBottom = 250, kWidth = 960,
                          kHeight = 280;
  WallTime from, to;
  double ymax = 1e-3;
  double x(WallTime t) const {
    double part = std::chrono::duration<double>(t - from).count() /
                  std::chrono::duration<double>(to - from).count();
    return kLeft + (kRight - kLeft) * std::clamp(part, 0.0, 1.0);
  }
  // Linear: an operator reads "twice as slow" off a linear axis; outliers above the highest 90th
  // percentile are not drawn (the smoke ends there), so they cannot flatten the chart.
  double y(double seconds) const {
    return kBottom - (kBottom - kTop) * std::min(seconds / ymax, 1.0);
  }
};

// The smallest round step (1, 2 or 5 × 10^n seconds) that cuts `top` into at most 5 parts.
double axis_step(double top) {
  double base = std::pow(10.0, std::floor(std::log10(top)) - 1);
  for (double f : {1.0, 2.0, 5.0, 10.0, 20.0, 50.0}) {
    if (top / (base * f) <= 5) return base * f;
  }
  return base * 100;
}

// The bands, each with a <title> (the browser's tooltip) and, where there is room, its
// diagnoses written above the chart: from the band's start to the right, or else ending at the
// band's end, never over another band's label.
void write_outages(HistOut out, const std::vector<OutageBand>& bands, const HistoryArea& a) {
  double free_from = HistoryArea::kLeft;  // where the previous label ended
  for (std::size_t i = 0; i < bands.size(); ++i) {
    const OutageBand& band = bands[i];
    std::string names;
    for (Diagnosis d : band.diagnoses) {
      names += (names.empty() ? "" : ", ") + std::string(to_string(d));
    }
    double x0 = a.x(band.from), x1 = std::max(a.x(band.to), x0 + 1);
    fmt::format_to(out,
                   "<g class=outage><rect x={:.1f} y=4 width={:.1f} height={:.0f}><title>failing "
                   "{} to {} UTC{}{}</title></rect>",
                   x0, x1 - x0, HistoryArea::kBottom - 4, utc_time(band.from), utc_time(band.to),
                   names.empty() ? "" : ": ", names);
    std::string label = names.empty() ? "failing" : names;
    double width = 6.6 * static_cast<double>(label.size());  // 11 px monospace
    double next = i + 1 < bands.size() ? a.x(bands[i + 1].from) : HistoryArea::kRight;
    double start = x0 + 2;
    if (start + width > next) start = x1 - 2 - width;
    if (start >= free_from && start + width <= std::max(next, x1)) {
      fmt::format_to(out, "<text x={:.1f} y=16>{}</text>", start, label);
      free_from = start + width + 4;
    }
    fmt::format_to(out, "</g>");
  }
}

void write_axes(HistOut out, HistoryRange range, const HistoryArea& a, double step) {
  for (int i = 0; i * step <= a.ymax * 1.0001; ++i) {
    double v = i * step, y = a.y(v);
    fmt::format_to(out,
                   "<line class=grid x1={} y1={:.1f} x2={} y2={:.1f} /><text class=ya x={} "
                   "y={:.1f}>{}</text>",
                   HistoryArea::kLeft, y, HistoryArea::kRight, y, HistoryArea::kLeft - 4, y + 4,
                   duration_label(v));
  }
  for (const TimeTick& tick : time_ticks(range, a.from, a.to)) {
    double x = a.x(tick.at);
    fmt::format_to(out,
                   "<line class=grid x1={0:.1f} y1={1} x2={0:.1f} y2={2} /><text class=xa "
                   "x={0:.1f} y={3}>{4}</text>",
                   x, HistoryArea::kTop, HistoryArea::kBottom + 4, HistoryArea::kBottom + 16,
                   tick.label);
  }
  fmt::format_to(out, "<text class=xa x={} y={}>UTC</text>", HistoryArea::kRight - 10,
                 HistoryArea::kBottom + 28);
}

// The layers, each one path: smoke bands, median marks per failed-share step, all-failed ticks,
// no-data strips.
void write_buckets(HistOut out, const std::vector<ChartBucket>& buckets, const HistoryArea& a) {
  std::string outer, inner, all_failed, no_data;
  std::array<std::string, kFailedShareSteps.size()> medians;
  double empty_since = -1;  // where the current run of empty buckets began; -1: not in one
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    const ChartBucket& b = buckets[i];
    double x0 = a.x(b.from), x1 = a.x(b.to);
    if (b.probes == 0) {
      if (empty_since < 0) empty_since = x0;
      if (i + 1 == buckets.size() || buckets[i + 1].probes != 0) {
        fmt::format_to(std::back_inserter(no_data), "M{:.1f} {}H{:.1f}", empty_since,
                       HistoryArea::kBottom - 2, x1);
        empty_since = -1;
      }
      continue;
    }
    if (!b.median) {
      fmt::format_to(std::back_inserter(all_failed), "M{:.1f} {}H{:.1f}", x0, HistoryArea::kTop + 3,
                     x1);
      continue;
    }
    fmt::format_to(std::back_inserter(outer), "M{:.1f} {:.1f}H{:.1f}V{:.1f}H{:.1f}Z", x0,
                   a.y(*b.p90), x1, a.y(*b.p10), x0);
    fmt::format_to(std::back_inserter(inner), "M{:.1f} {:.1f}H{:.1f}V{:.1f}H{:.1f}Z", x0,
                   a.y(*b.p75), x1, a.y(*b.p25), x0);
    auto step = static_cast<std::size_t>(failed_share_step(b.failed, b.probes));
    fmt::format_to(std::back_inserter(medians[step]), "M{:.1f} {:.1f}H{:.1f}", x0, a.y(*b.median),
                   x1);
  }
  auto path = [&](std::string_view cls, const std::string& d) {
    if (!d.empty()) fmt::format_to(out, "<path class='{}' d='{}'/>", cls, d);
  };
  path("smoke p10-p90", outer);
  path("smoke p25-p75", inner);
  for (std::size_t s = 0; s < medians.size(); ++s) path(fmt::format("median s{}", s), medians[s]);
  path("allfailed", all_failed);
  path("nodata", no_data);
}

}  // namespace

std::string render_history_chart(HistoryRange range, WallTime from, WallTime to,
                                 const std::vector<ProbePoint>& points,
                                 const std::vector<HealthInterval>& health,
                                 const std::vector<DiagnosisInterval>& diagnoses) {
  std::vector<ChartBucket> buckets = chart_buckets(points, from, to, history_layout(range).buckets);
  HistoryArea a{.from = from, .to = to};
  for (const ChartBucket& b : buckets) a.ymax = std::max(a.ymax, b.p90.value_or(0));
  double step = axis_step(a.ymax * 1.05);
  a.ymax = std::ceil(a.ymax * 1.05 / step) * step;

  std::string svg;
  svg.reserve(32 * 1024);
  HistOut out(svg);
  fmt::format_to(out,
                 "<svg class=history data-range={} viewBox='0 0 {} {}' role=img "
                 "aria-label='probe durations and failures, {} to {} UTC'>",
                 to_string(range), HistoryArea::kWidth, HistoryArea::kHeight, utc_time(from),
                 utc_time(to));
  write_outages(out, outage_bands(health, diagnoses, from, to), a);
  write_axes(out, range, a, step);
  write_buckets(out, buckets, a);
  fmt::format_to(out, "</svg>");
  return svg;
}

}  // namespace proxywatch
