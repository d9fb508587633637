// The MTU report in the outputs: `check --mtu --json`'s "mtu" object and the three-row
// timeline. The report is built by hand, as the probe stage would conclude it.
#include <gtest/gtest.h>

#include "common/output/print/result_json.h"
#include "common/output/print/timeline.h"
#include "tests/support/results.h"

namespace proxywatch {
namespace {

MtuReport inbound_report() {
  MtuReport report = testing::inbound_mtu_report();
  report.verdict = MtuVerdict::kInbound;
  report.padded_hello_bytes = 1448;
  report.diagnosis = "MTU problem towards this host: with the MSS clamped to 536 the probe passes";
  return report;
}
ProbeSpec mtu_spec() {
  ProbeSpec spec;
  spec.proxy = {"10.10.10.1", 80};
  spec.target = {"tools.cisco.com", 443};
  return spec;
}

TEST(MtuReportTest, JsonHasTheOutcomesVerdictAndEvidence) {
  auto value = to_json(inbound_report(), mtu_spec());
  const auto& mtu = value.at("mtu");
  EXPECT_EQ(mtu.at("normal").as_string(), "tls_stalled");
  EXPECT_EQ(mtu.at("clamped").as_string(), "ok");
  EXPECT_EQ(mtu.at("padded").as_string(), "tls_stalled");
  EXPECT_EQ(mtu.at("verdict").as_string(), "inbound");
  EXPECT_EQ(mtu.at("clamp_mss").to_number<int>(), 536);
  EXPECT_EQ(mtu.at("padded_hello_bytes").to_number<int>(), 1448);
  EXPECT_EQ(mtu.at("probes").at("padded").at("tcp").at("retransmits").to_number<int>(), 3);
  // The rest of the object is the normal probe's, as without --mtu.
  EXPECT_EQ(value.at("outcome").as_string(), "tls_stalled");
}

TEST(MtuReportTest, TimelineHasThreeRowsAndTheVerdict) {
  std::string text = format_mtu_timeline(inbound_report(), mtu_spec());
  EXPECT_NE(text.find("normal   as configured"), std::string::npos) << text;
  EXPECT_NE(text.find("clamped  MSS clamped to 536"), std::string::npos) << text;
  EXPECT_NE(text.find("padded   ClientHello +1448 bytes"), std::string::npos) << text;
  EXPECT_NE(text.find("mtu verdict: inbound"), std::string::npos) << text;
  EXPECT_NE(text.find("MSS clamped to 536 the probe passes"), std::string::npos) << text;
}

}  // namespace
}  // namespace proxywatch
