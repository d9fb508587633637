// Metrics::forget_proxy at scale: every per-target series of the proxy goes, in time linear in
// the series. prometheus-cpp 1.0's Family::Remove searches from the family's first series, so
// removing pair after pair was quadratic: a proxy change with 10,000 targets blocked the daemon
// for minutes (docs/benchmarks.md).
#include "common/output/metrics/metrics.h"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

#include "tests/unit/output/metrics/metrics_text.h"

#include "common/output/metrics/tracker_metrics.h"

namespace proxywatch {
namespace {

using ForgetClock = std::chrono::steady_clock;

// Gives `pairs` targets of `proxy` the series a daemon's probes make: two outcomes (one with a
// failing phase), TCP and TLS series, interval and target_info.
void forget_test_fill(Metrics& m, const std::string& proxy, int pairs) {
  for (int i = 0; i < pairs; ++i) {
    const std::string target = "t" + std::to_string(i) + ".example:443";
    m.set_probe_interval(proxy, target, std::chrono::seconds(60));
    m.set_target_info(proxy, target, "custom", target);
    m.record_probe(proxy, target, ok_result());
    m.record_probe(proxy, target, failed_result(Outcome::kTlsFailed, Phase::kTlsHandshake));
  }
}

TEST(MetricsForgetTest, ForgetProxyRemovesEverySeriesKindOfItsPairsOnly) {
  Metrics m;
  forget_test_fill(m, "10.0.0.1:3128", 3);
  forget_test_fill(m, "10.0.0.2:3128", 2);
  const int others = lines_with(m.serialize(), "proxy=\"10.0.0.2:3128\"");
  m.forget_proxy("10.0.0.1:3128");
  const std::string text = m.serialize();
  EXPECT_EQ(lines_with(text, "proxy=\"10.0.0.1:3128\""), 0) << text;
  EXPECT_EQ(lines_with(text, "proxy=\"10.0.0.2:3128\""), others);
  // A later probe of a forgotten pair starts afresh.
  m.record_probe("10.0.0.1:3128", "t0.example:443", ok_result());
  EXPECT_EQ(value_of(m.serialize(), R"(proxywatch_probes_total{outcome="ok",)"
                                    R"(proxy="10.0.0.1:3128",target="t0.example:443"})"),
            1);
}

// Removing 1,000 pairs' ~47,000 series one by one took 40 times as long as making them (15 s);
// in one ordered pass per family, 1.5 times. A ratio, so that it holds on a loaded or sanitized
// machine; 500 pairs keep the test under a second.
TEST(MetricsForgetTest, ForgettingManyPairsTakesAboutAsLongAsMakingThem) {
  Metrics m;
  const auto t0 = ForgetClock::now();
  forget_test_fill(m, "10.0.0.1:3128", 500);
  const auto made = ForgetClock::now() - t0;
  const auto t1 = ForgetClock::now();
  m.forget_proxy("10.0.0.1:3128");
  const auto forgotten = ForgetClock::now() - t1;
  EXPECT_LT(forgotten, 5 * made + std::chrono::milliseconds(50))
      << "made in " << std::chrono::duration<double>(made).count() << " s, forgotten in "
      << std::chrono::duration<double>(forgotten).count() << " s";
  EXPECT_EQ(lines_with(m.serialize(), "proxy=\"10.0.0.1:3128\""), 0);
}

// The tracker's series likewise, in one ordered pass per family: forget_pairs drops exactly the
// pairs named. (Its time is measured on the daemon: docs/benchmarks.md.)
TEST(MetricsForgetTest, TrackerForgetPairsRemovesThosePairsOnly) {
  Metrics m;
  TrackerMetrics tracker(m);
  PairHistory history;
  history.health = HealthState::kFailing;
  history.active[Diagnosis::kProxyUnreachable] = {};
  history.last_mtu = MtuVerdict::kInbound;
  std::vector<std::pair<std::string, std::string>> pairs;
  for (int i = 0; i < 50; ++i) {
    pairs.emplace_back("u:pw@10.0.0.1:3128", "t" + std::to_string(i) + ".example:443");
    tracker.update(pairs.back().first, pairs.back().second, history);
  }
  tracker.update("10.0.0.1:3128", "kept.example:443", history);
  const int kept = lines_with(m.serialize(), "kept.example");
  tracker.forget_pairs(pairs);
  const std::string text = m.serialize();
  EXPECT_EQ(lines_with(text, ".example:443\""), kept) << text;
  EXPECT_GT(kept, 8);
}

}  // namespace
}  // namespace proxywatch
