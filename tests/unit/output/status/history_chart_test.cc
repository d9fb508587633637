// The history chart's data and SVG: ranges and their spans, percentiles per bucket, the
// failed-share colour steps, empty buckets drawn as no data, outage bands clipped to the range
// with their diagnoses, the time labels of each range.
#include <gtest/gtest.h>

#include "common/output/status/history_chart.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;

// 2026-12-02 14:07:30 UTC, a Wednesday.
const WallTime kChartNow = WallTime{} + std::chrono::seconds(1'796'220'450);

std::size_t chart_occurrences(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::vector<std::string> tick_labels(HistoryRange range) {
  TimeSpan span = history_span(range, kChartNow);
  std::vector<std::string> labels;
  for (const TimeTick& t : time_ticks(range, span.from, span.to)) labels.push_back(t.label);
  return labels;
}

TEST(HistoryChartTest, RangesParseAndEndAtAWholeBucket) {
  for (HistoryRange r : kAllHistoryRanges) EXPECT_EQ(parse_history_range(to_string(r)), r);
  EXPECT_EQ(parse_history_range("2h"), std::nullopt);
  EXPECT_EQ(parse_history_range(""), std::nullopt);
  EXPECT_EQ(parse_history_range("1D"), std::nullopt);
  TimeSpan day = history_span(HistoryRange::k1d, kChartNow);
  EXPECT_EQ(day.to, kChartNow + 2min + 30s);  // 14:10, the next 10-minute bucket's end
  EXPECT_EQ(day.to - day.from, 24h);
  TimeSpan month = history_span(HistoryRange::k30d, kChartNow);
  EXPECT_EQ(month.to, kChartNow + 1h + 52min + 30s);  // 16:00, a 4-hour boundary
  for (HistoryRange r : kAllHistoryRanges) {
    HistoryLayout layout = history_layout(r);
    EXPECT_GE(layout.buckets, 120u);
    EXPECT_LE(layout.buckets, 180u);
  }
}

TEST(HistoryChartTest, BucketHoldsPercentilesOfThePassingProbesAndCountsFailures) {
  WallTime from = kChartNow - 10min;
  std::vector<ProbePoint> points;
  for (int i = 1; i <= 10; ++i) {
    points.push_back({from + std::chrono::seconds(i), true, 0.01 * i});
  }
  points.push_back({from + 30s, false, 9.0});  // a timeout: not a latency
  points.push_back({from + 40s, false, 9.0});
  points.push_back({from - 1s, true, 5.0});  // before the range
  points.push_back({kChartNow, true, 5.0});  // at its end, which is excluded
  std::vector<ChartBucket> buckets = chart_buckets(points, from, kChartNow, 10);
  ASSERT_EQ(buckets.size(), 10u);
  const ChartBucket& b = buckets[0];
  EXPECT_EQ(b.from, from);
  EXPECT_EQ(b.to, from + 1min);
  EXPECT_EQ(b.probes, 12u);
  EXPECT_EQ(b.failed, 2u);
  EXPECT_DOUBLE_EQ(*b.p10, 0.019);  // rank 0.9 between 0.01 and 0.02
  EXPECT_DOUBLE_EQ(*b.p25, 0.0325);
  EXPECT_DOUBLE_EQ(*b.median, 0.055);
  EXPECT_DOUBLE_EQ(*b.p75, 0.0775);
  EXPECT_DOUBLE_EQ(*b.p90, 0.091);
  EXPECT_EQ(buckets[9].to, kChartNow);
}

TEST(HistoryChartTest, EmptyBucketIsNoDataNotZero) {
  WallTime from = kChartNow - 3min;
  std::vector<ProbePoint> points = {{from + 10s, true, 0.05}, {from + 130s, true, 0.07}};
  std::vector<ChartBucket> buckets = chart_buckets(points, from, kChartNow, 3);
  ASSERT_EQ(buckets.size(), 3u);
  EXPECT_EQ(buckets[1].probes, 0u);
  EXPECT_EQ(buckets[1].median, std::nullopt);
  EXPECT_EQ(buckets[1].p10, std::nullopt);
  // In the SVG: smoke for the two buckets with probes only, and one no-data strip.
  std::string svg =
      render_history_chart(HistoryRange::k3h, kChartNow - 3h, kChartNow, points, {}, {});
  std::string smoke = svg.substr(svg.find("<path class='smoke p10-p90'"));
  smoke = smoke.substr(0, smoke.find("/>"));
  EXPECT_EQ(chart_occurrences(smoke, "Z"), 2u) << smoke;
  std::string nodata = svg.substr(svg.find("<path class='nodata'"));
  nodata = nodata.substr(0, nodata.find("/>"));
  // 180 one-minute buckets, the 178th and the last with probes: two runs without any.
  EXPECT_EQ(chart_occurrences(nodata, "M"), 2u) << nodata;
  // Nothing is drawn at the baseline as a zero latency: no median sits at y = 250.
  EXPECT_EQ(svg.find(" 250.0H"), std::string::npos);
}

TEST(HistoryChartTest, FailedShareStepsAndTheirColours) {
  EXPECT_EQ(failed_share_step(0, 10), 0);
  EXPECT_EQ(failed_share_step(1, 20), 1);  // 5 %
  EXPECT_EQ(failed_share_step(1, 19), 2);  // 5.3 %
  EXPECT_EQ(failed_share_step(5, 20), 2);  // 25 %
  EXPECT_EQ(failed_share_step(6, 20), 3);
  EXPECT_EQ(failed_share_step(3, 3), 3);
  // Four buckets of 20 probes with 0, 1, 4 and 20 failures: a median of each colour but the
  // last, which has none (every probe failed) and is a red bar at the top instead.
  WallTime from = kChartNow - 4min;
  std::vector<ProbePoint> points;
  for (int bucket = 0; bucket < 4; ++bucket) {
    int failures = std::array{0, 1, 4, 20}[static_cast<std::size_t>(bucket)];
    for (int i = 0; i < 20; ++i) {
      points.push_back(
          {from + std::chrono::minutes(bucket) + std::chrono::seconds(i), i >= failures, 0.05});
    }
  }
  std::string svg =
      render_history_chart(HistoryRange::k3h, kChartNow - 3h, kChartNow, points, {}, {});
  EXPECT_NE(svg.find("<path class='median s0'"), std::string::npos) << svg;
  EXPECT_NE(svg.find("<path class='median s1'"), std::string::npos);
  EXPECT_NE(svg.find("<path class='median s2'"), std::string::npos);
  EXPECT_EQ(svg.find("<path class='median s3'"), std::string::npos);
  EXPECT_NE(svg.find("<path class='allfailed'"), std::string::npos);
}

TEST(HistoryChartTest, OutageBandsAreClippedToTheRangeAndNameTheirDiagnoses) {
  WallTime from = kChartNow - 3h, to = kChartNow;
  std::vector<HealthInterval> health = {
      {"p", "t", HealthState::kFailing, from - 5h, from - 4h},  // before the range
      {"p", "t", HealthState::kFailing, from - 1h, from + 30min},
      {"p", "t", HealthState::kHealthy, from + 30min, from + 2h},
      {"p", "t", HealthState::kFailing, from + 2h, std::nullopt},  // still failing
  };
  std::vector<DiagnosisInterval> diagnoses = {
      {"p", "t", Diagnosis::kAclBlock, from - 50min, from + 30min, {}, "cleared"},
      {"p", "t", Diagnosis::kProxyUnreachable, from + 2h, from + 2h + 10min, {}, ""},
      {"p", "t", Diagnosis::kFlapping, from + 2h + 5min, std::nullopt, {}, ""},
      {"p", "t", Diagnosis::kProxyUnreachable, from + 2h + 20min, std::nullopt, {}, ""},
  };
  std::vector<OutageBand> bands = outage_bands(health, diagnoses, from, to);
  ASSERT_EQ(bands.size(), 2u);
  EXPECT_EQ(bands[0].from, from);
  EXPECT_EQ(bands[0].to, from + 30min);
  EXPECT_EQ(bands[0].diagnoses, std::vector{Diagnosis::kAclBlock});
  EXPECT_EQ(bands[1].from, from + 2h);
  EXPECT_EQ(bands[1].to, to);
  EXPECT_EQ(bands[1].diagnoses, (std::vector{Diagnosis::kProxyUnreachable, Diagnosis::kFlapping}));
  std::string svg = render_history_chart(HistoryRange::k3h, from, to, {}, health, diagnoses);
  EXPECT_EQ(chart_occurrences(svg, "<g class=outage>"), 2u);
  EXPECT_NE(svg.find("<text x=66.0 y=16>acl_block</text>"), std::string::npos) << svg;
  EXPECT_NE(svg.find(">proxy_unreachable, flapping</text>"), std::string::npos);
  EXPECT_NE(svg.find("<title>failing 2026-12-02 13:07:30 to 2026-12-02 14:07:30 UTC: "
                     "proxy_unreachable, flapping</title>"),
            std::string::npos);
}

TEST(HistoryChartTest, TimeLabelsFitEachRange) {
  EXPECT_EQ(tick_labels(HistoryRange::k3h),
            (std::vector<std::string>{"11:30", "12:00", "12:30", "13:00", "13:30", "14:00"}));
  EXPECT_EQ(tick_labels(HistoryRange::k1d),
            (std::vector<std::string>{"15:00", "18:00", "21:00", "12-02", "03:00", "06:00", "09:00",
                                      "12:00"}));
  EXPECT_EQ(tick_labels(HistoryRange::k7d),
            (std::vector<std::string>{"Thu 11-26", "Fri 11-27", "Sat 11-28", "Sun 11-29",
                                      "Mon 11-30", "Tue 12-01", "Wed 12-02"}));
  EXPECT_EQ(tick_labels(HistoryRange::k30d),  // Mondays
            (std::vector<std::string>{"11-09", "11-16", "11-23", "11-30"}));
}

TEST(HistoryChartTest, YAxisInMillisecondsOrSeconds) {
  EXPECT_EQ(duration_label(0), "0");
  EXPECT_EQ(duration_label(0.25), "250 ms");
  EXPECT_EQ(duration_label(0.0025), "2.5 ms");
  EXPECT_EQ(duration_label(1.5), "1.5 s");
  WallTime from = kChartNow - 3h;
  std::string svg =
      render_history_chart(HistoryRange::k3h, from, kChartNow,
                           {{from + 1min, true, 0.08}, {from + 2min, true, 0.12}}, {}, {});
  // A 90th percentile of 120 ms: grid lines every 50 ms up to 150 ms.
  for (std::string_view label : {">0<", ">50 ms<", ">100 ms<", ">150 ms<"}) {
    EXPECT_NE(svg.find(label), std::string::npos) << label << "\n" << svg;
  }
  EXPECT_EQ(svg.find(">200 ms<"), std::string::npos);
}

}  // namespace
}  // namespace proxywatch
