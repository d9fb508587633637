// ProbeSink: every probe updates its metric series; the journal gets a probe_outcome_changed
// event only when a target's outcome differs from its previous probe's (and for a first probe
// that failed), at info priority, never as a verdict on health.
#include "daemon/probe_sink.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "common/output/log/log.h"
#include "tests/support/results.h"

namespace proxywatch {
namespace {

using testing::result;

class ProbeSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    init_logging_for_test(std::make_shared<spdlog::sinks::ostream_sink_mt>(log_),
                          spdlog::level::info);
  }
  void TearDown() override { init_logging(LogTarget::kStderr, spdlog::level::info); }
  int events() {
    std::string text = log_.str();
    int n = 0;
    for (auto at = text.find("probe outcome"); at != std::string::npos;
         at = text.find("probe outcome", at + 1)) {
      ++n;
    }
    return n;
  }

  std::ostringstream log_;
  Metrics metrics_;
  ProbeSink sink_{metrics_};
};

TEST_F(ProbeSinkTest, AFailuresEventNamesItsCaptureFile) {
  sink_.record("127.0.0.1:3128", "tools", result(Outcome::kProxyDenied, Phase::kProxyConnect),
               "/var/lib/proxywatch/captures/20261205T064812.123Z-tools-proxy_denied.pcap");
  sink_.record("127.0.0.1:3128", "tools", result(Outcome::kOk));
  std::string text = log_.str();
  EXPECT_NE(text.find("CAPTURE_FILE=/var/lib/proxywatch/captures/"
                      "20261205T064812.123Z-tools-proxy_denied.pcap"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("CAPTURE_FILE"), text.rfind("CAPTURE_FILE")) << text;
}

TEST_F(ProbeSinkTest, FirstPassingProbeLogsNothing) {
  sink_.record("127.0.0.1:3128", "tools", result(Outcome::kOk));
  EXPECT_EQ(events(), 0) << log_.str();
  EXPECT_NE(metrics_.serialize().find("proxywatch_probe_success{proxy=\"127.0.0.1:3128\","
                                      "target=\"tools\"} 1"),
            std::string::npos);
}

TEST_F(ProbeSinkTest, EachChangeOfOutcomeIsOneInfoEventWithThePreviousOutcome) {
  sink_.record("127.0.0.1:3128", "tools", result(Outcome::kOk));
  sink_.record("127.0.0.1:3128", "tools", result(Outcome::kProxyDenied, Phase::kProxyConnect));
  sink_.record("127.0.0.1:3128", "tools", result(Outcome::kProxyDenied, Phase::kProxyConnect));
  sink_.record("127.0.0.1:3128", "tools", result(Outcome::kOk));
  EXPECT_EQ(events(), 2) << log_.str();
  std::string text = log_.str();
  EXPECT_NE(text.find("info tools via 127.0.0.1:3128: probe outcome ok -> proxy_denied"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("OUTCOME=proxy_denied PHASE=proxy_connect"), std::string::npos) << text;
  EXPECT_NE(text.find("PREVIOUS_OUTCOME=ok"), std::string::npos) << text;
  EXPECT_NE(text.find("probe outcome proxy_denied -> ok"), std::string::npos) << text;
  EXPECT_EQ(text.find("warning"), std::string::npos) << "a probe is not a verdict";
}

TEST_F(ProbeSinkTest, FirstFailingProbeIsLoggedAndTargetsAreTrackedApart) {
  sink_.record("127.0.0.1:3128", "tools", result(Outcome::kTcpRefused, Phase::kTcpConnect));
  sink_.record("127.0.0.1:3128", "smart", result(Outcome::kOk));
  EXPECT_EQ(events(), 1) << log_.str();
  EXPECT_NE(log_.str().find("probe outcome none -> tcp_refused"), std::string::npos);
}

TEST_F(ProbeSinkTest, ForgetAllDropsTheSeriesAndTheLastOutcomes) {
  sink_.record("127.0.0.1:3128", "tools", result(Outcome::kProxyDenied, Phase::kProxyConnect));
  sink_.forget_all();
  EXPECT_EQ(metrics_.serialize().find("target=\"tools\""), std::string::npos);
  sink_.record("127.0.0.1:3128", "tools", result(Outcome::kProxyDenied, Phase::kProxyConnect));
  EXPECT_EQ(events(), 2) << "after forgetting, the failure is a first probe again";
}

}  // namespace
}  // namespace proxywatch
