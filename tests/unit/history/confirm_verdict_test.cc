// verdict_unsettled: when the daemon follows a probe with a confirmation probe. A failure is
// confirmed until the run reaches failing_after (and persistent_after), a failing pair's first
// passes until recover_after; a settled verdict is left to the regular interval.
#include <gtest/gtest.h>

#include "common/history/health_rules.h"
#include "common/history/tracker.h"
#include "tests/support/results.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;

class ConfirmVerdict {
 public:
  explicit ConfirmVerdict(HealthSettings settings = {}) : settings_(settings), tracker_(settings) {}
  // Records one probe a second after the last; returns whether it leaves the verdict unsettled.
  bool after(Outcome outcome) {
    now_ += 1s;
    auto r = outcome == Outcome::kOk ? testing::result(outcome)
                                     : testing::result(outcome, Phase::kProxyConnect);
    tracker_.record(r, now_, "");
    return verdict_unsettled(tracker_.history(), settings_);
  }
  HealthState health() const { return tracker_.history().health; }

 private:
  HealthSettings settings_;
  Tracker tracker_;
  WallTime now_ = WallTime{} + std::chrono::hours(24 * 365 * 50);
};

TEST(ConfirmVerdictTest, AFailureIsConfirmedUntilFailingAndOnePassSettlesIt) {
  ConfirmVerdict pair;
  EXPECT_FALSE(pair.after(Outcome::kOk)) << "a pass of a healthy pair is settled";
  EXPECT_TRUE(pair.after(Outcome::kProxyDenied)) << "one failure may be transient";
  EXPECT_FALSE(pair.after(Outcome::kOk)) << "a passing confirmation settles it";
  EXPECT_EQ(pair.health(), HealthState::kHealthy);
  EXPECT_TRUE(pair.after(Outcome::kProxyDenied));
  EXPECT_TRUE(pair.after(Outcome::kProxyDenied));
  EXPECT_FALSE(pair.after(Outcome::kProxyDenied)) << "failing_after (3) reached: settled";
  EXPECT_EQ(pair.health(), HealthState::kFailing);
  EXPECT_FALSE(pair.after(Outcome::kProxyDenied)) << "a failing pair that fails is settled";
}

TEST(ConfirmVerdictTest, AFailingPairsFirstPassIsConfirmedUntilItRecovers) {
  ConfirmVerdict pair;
  for (int i = 0; i < 3; ++i) pair.after(Outcome::kProxyDenied);
  ASSERT_EQ(pair.health(), HealthState::kFailing);
  EXPECT_TRUE(pair.after(Outcome::kOk)) << "one pass may be luck";
  EXPECT_FALSE(pair.after(Outcome::kOk)) << "recover_after (2) reached: settled";
  // Out of failing; degraded, as 3 of the window's 5 probes failed.
  EXPECT_EQ(pair.health(), HealthState::kDegraded);
}

TEST(ConfirmVerdictTest, TheLongerOfFailingAfterAndPersistentAfterDecides) {
  ConfirmVerdict pair(HealthSettings{.failing_after = 2, .persistent_after = 4});
  EXPECT_TRUE(pair.after(Outcome::kProxyDenied));
  EXPECT_TRUE(pair.after(Outcome::kProxyDenied)) << "failing, but acl_block needs 4";
  EXPECT_EQ(pair.health(), HealthState::kFailing);
  EXPECT_TRUE(pair.after(Outcome::kProxyDenied));
  EXPECT_FALSE(pair.after(Outcome::kProxyDenied)) << "acl_block raised: settled";
  // The first pass of a pair with acl_block is confirmed like a failing pair's.
  EXPECT_TRUE(pair.after(Outcome::kOk));
}

TEST(ConfirmVerdictTest, NoProbeIsSettled) {
  Tracker tracker{HealthSettings{}};
  EXPECT_FALSE(verdict_unsettled(tracker.history(), HealthSettings{}));
}

}  // namespace
}  // namespace proxywatch
