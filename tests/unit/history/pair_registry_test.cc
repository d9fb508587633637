// PairRegistry: the trackers by (proxy, target), retention and restore, the dirty flag and the
// one line of verdict that STATUS= shows.
#include "common/history/pair_registry.h"

#include <gtest/gtest.h>

#include "tests/support/results.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;
using testing::result;

const WallTime kRegistryStart = WallTime{} + std::chrono::hours(24 * 365 * 50);
constexpr std::string_view kProxy = "127.0.0.1:3128";

class PairRegistryTest : public ::testing::Test {
 protected:
  TrackerChanges feed(const std::string& target, const ProbeResult& r) {
    return registry_.record({std::string(kProxy), target}, "", r, now_ += 1min);
  }

  PairRegistry registry_;
  WallTime now_ = kRegistryStart;
};

TEST_F(PairRegistryTest, RecordCreatesThePairAndReportsItsChanges) {
  EXPECT_EQ(registry_.find({std::string(kProxy), "tools"}), nullptr);
  TrackerChanges first = feed("tools", result(Outcome::kOk));
  ASSERT_NE(registry_.find({std::string(kProxy), "tools"}), nullptr);
  EXPECT_TRUE(registry_.take_dirty());
  EXPECT_FALSE(registry_.take_dirty());
  for (int i = 0; i < 2; ++i) feed("tools", result(Outcome::kProxyDenied, Phase::kProxyConnect));
  TrackerChanges third = feed("tools", result(Outcome::kProxyDenied, Phase::kProxyConnect));
  EXPECT_TRUE(first.health_changed());
  EXPECT_EQ(third.health, HealthState::kFailing);
  ASSERT_EQ(third.diagnoses.size(), 1u);
  EXPECT_EQ(third.diagnoses.front().diagnosis, Diagnosis::kAclBlock);
}

TEST_F(PairRegistryTest, RetainReturnsTheDroppedKeys) {
  feed("tools", result(Outcome::kOk));
  feed("old", result(Outcome::kOk));
  registry_.take_dirty();
  auto dropped = registry_.retain(std::string(kProxy), {"tools"});
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped.front(), (PairKey{std::string(kProxy), "old"}));
  EXPECT_TRUE(registry_.take_dirty());
  EXPECT_EQ(registry_.retain("10.0.0.1:80", {"tools"}).size(), 1u);
  EXPECT_TRUE(registry_.pairs().empty());
}

TEST_F(PairRegistryTest, RestoreReplacesEveryPairAndTrimsToTheWindow) {
  feed("tools", result(Outcome::kOk));
  std::vector<PairState> saved = registry_.snapshot();
  ASSERT_EQ(saved.size(), 1u);
  feed("other", result(Outcome::kOk));
  registry_.take_dirty();
  // Restored a day later: the samples are older than the window, the health stays.
  auto before = registry_.restore(saved, now_ + 24h);
  EXPECT_EQ(before.size(), 2u);
  EXPECT_FALSE(registry_.take_dirty());
  ASSERT_EQ(registry_.pairs().size(), 1u);
  const Tracker* t = registry_.find({std::string(kProxy), "tools"});
  ASSERT_NE(t, nullptr);
  EXPECT_TRUE(t->history().window.empty());
  EXPECT_EQ(t->history().health, HealthState::kHealthy);
}

TEST_F(PairRegistryTest, SummaryCountsHealthStatesAndNamesActiveDiagnoses) {
  std::string proxy(kProxy);
  EXPECT_EQ(registry_.summary(proxy, {"tools", "smart"}), "2 targets: 0 healthy, 2 unknown");
  feed("tools", result(Outcome::kOk));
  for (int i = 0; i < 3; ++i) feed("smart", result(Outcome::kProxyDenied, Phase::kProxyConnect));
  EXPECT_EQ(registry_.summary(proxy, {"tools", "smart"}),
            "2 targets: 1 healthy, 1 failing (acl_block)");
  EXPECT_EQ(registry_.summary(proxy, {"tools"}), "1 target: 1 healthy");
  // Another proxy's history is not this proxy's verdict.
  EXPECT_EQ(registry_.summary("10.0.0.1:80", {"tools"}), "1 target: 0 healthy, 1 unknown");
}

TEST_F(PairRegistryTest, SummaryStaysHealthyThroughOneFailedProbe) {
  feed("tools", result(Outcome::kOk));
  feed("tools", result(Outcome::kProxyClosed, Phase::kProxyConnect));
  EXPECT_EQ(registry_.summary(std::string(kProxy), {"tools"}), "1 target: 1 healthy");
}

}  // namespace
}  // namespace proxywatch
