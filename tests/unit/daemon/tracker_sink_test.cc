// TrackerSink: probes in through the registry, journal events and metric series out; retain
// and restore drop and export the series.
#include "daemon/tracker_sink.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "common/output/log/log.h"
#include "tests/support/results.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;

const WallTime kStart = WallTime{} + std::chrono::hours(24 * 365 * 50);

using testing::result;

class TrackerSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    init_logging_for_test(std::make_shared<spdlog::sinks::ostream_sink_mt>(log_));
  }
  void feed(const std::string& target, const ProbeResult& r) {
    sink_.record("127.0.0.1:3128", target, "", r, now_ += 1min);
  }
  bool has(const std::string& line) { return metrics_.serialize().find(line) != std::string::npos; }

  std::ostringstream log_;
  PairRegistry registry_;
  Metrics metrics_;
  TrackerSink sink_{registry_, metrics_};
  WallTime now_ = kStart;
};

TEST_F(TrackerSinkTest, AclBlockShowsAsMetricAndJournalEventWithEvidence) {
  for (int i = 0; i < 3; ++i) feed("tools", result(Outcome::kProxyDenied, Phase::kProxyConnect));
  EXPECT_TRUE(
      has("proxywatch_diagnosis{diagnosis=\"acl_block\",proxy=\"127.0.0.1:3128\","
          "target=\"tools\"} 1"))
      << metrics_.serialize();
  EXPECT_TRUE(
      has("proxywatch_health_state{proxy=\"127.0.0.1:3128\",state=\"failing\","
          "target=\"tools\"} 1"));
  EXPECT_TRUE(has("proxywatch_consecutive_failures{proxy=\"127.0.0.1:3128\",target=\"tools\"} 3"));
  std::string log = log_.str();
  EXPECT_NE(log.find("acl_block raised"), std::string::npos) << log;
  EXPECT_NE(log.find("DIAGNOSIS=acl_block"), std::string::npos) << log;
  EXPECT_NE(log.find("OUTCOME_COUNTS=\"proxy_denied=3\""), std::string::npos) << log;
  EXPECT_NE(log.find("PHASE_COUNTS=\"proxy_connect=3\""), std::string::npos) << log;
  EXPECT_NE(log.find("HEALTH=failing"), std::string::npos) << log;

  feed("tools", result(Outcome::kOk));
  feed("tools", result(Outcome::kOk));
  EXPECT_FALSE(has("diagnosis=\"acl_block\"")) << metrics_.serialize();
  EXPECT_NE(log_.str().find("acl_block cleared"), std::string::npos);
}

TEST_F(TrackerSinkTest, OneHealthEventPerTransitionNotPerProbe) {
  for (int i = 0; i < 6; ++i) feed("tools", result(Outcome::kOk));
  std::string log = log_.str();
  std::size_t events = 0;
  for (auto at = log.find("HEALTH=healthy"); at != std::string::npos;
       at = log.find("HEALTH=healthy", at + 1)) {
    ++events;
  }
  EXPECT_EQ(events, 1u) << log;
}

TEST_F(TrackerSinkTest, TheHealthEventNamesTheCaptureTheDaemonKeptForTheChange) {
  std::size_t asked = 0;
  auto capture = [&](const TrackerChanges& c) -> std::string {
    ++asked;
    return c.health_changed() ? "/var/lib/proxywatch/captures/x-tools-proxy_denied.pcap" : "";
  };
  for (int i = 0; i < 3; ++i) {
    sink_.record("127.0.0.1:3128", "tools", "", result(Outcome::kProxyDenied, Phase::kProxyConnect),
                 now_ += 1min, capture);
  }
  EXPECT_EQ(asked, 3u) << "asked once per probe, before its events";
  std::string log = log_.str();
  auto failing = log.find("HEALTH=failing");
  ASSERT_NE(failing, std::string::npos) << log;
  std::string line = log.substr(log.rfind('\n', failing) + 1);
  line = line.substr(0, line.find('\n'));
  EXPECT_NE(line.find("CAPTURE_FILE=/var/lib/proxywatch/captures/x-tools-proxy_denied.pcap"),
            std::string::npos)
      << line;
  std::string raised = log.substr(log.find("acl_block raised"));
  EXPECT_EQ(raised.substr(0, raised.find('\n')).find("CAPTURE_FILE"), std::string::npos)
      << "only the health event carries it";
}

TEST_F(TrackerSinkTest, RetainDropsOtherPairsAndTheirSeries) {
  feed("tools", result(Outcome::kOk));
  feed("old", result(Outcome::kOk));
  sink_.retain("127.0.0.1:3128", {"tools"});
  EXPECT_EQ(registry_.find({"127.0.0.1:3128", "old"}), nullptr);
  EXPECT_NE(registry_.find({"127.0.0.1:3128", "tools"}), nullptr);
  EXPECT_FALSE(has("target=\"old\""));
  sink_.retain("127.0.0.1:8080", {"tools"});
  EXPECT_TRUE(registry_.snapshot().empty());
  EXPECT_FALSE(has("target=\"tools\""));
}

TEST_F(TrackerSinkTest, RestoreExportsWithoutLoggingAndMarksNothingDirty) {
  for (int i = 0; i < 3; ++i) feed("tools", result(Outcome::kTcpRefused, Phase::kTcpConnect));
  auto saved = registry_.snapshot();
  PairRegistry fresh_registry;
  Metrics fresh_metrics;
  TrackerSink fresh(fresh_registry, fresh_metrics);
  log_.str("");
  fresh.restore(saved, now_);
  EXPECT_EQ(log_.str(), "");
  EXPECT_FALSE(fresh_registry.take_dirty());
  EXPECT_NE(fresh_metrics.serialize().find("diagnosis=\"proxy_unreachable\""), std::string::npos);
  ASSERT_NE(fresh_registry.find({"127.0.0.1:3128", "tools"}), nullptr);
  EXPECT_EQ(fresh_registry.find({"127.0.0.1:3128", "tools"})->history().health,
            HealthState::kFailing);
}

}  // namespace
}  // namespace proxywatch
