// The MTU verdict: which combinations of the normal, clamped and padded outcomes name a
// direction, which say "not MTU", and which cannot tell.
#include "common/mtu_check.h"

#include <gtest/gtest.h>

#include "common/result_json.h"
#include "common/timeline.h"

namespace proxywatch {
namespace {

constexpr Outcome kOk = Outcome::kOk;
constexpr Outcome kStalled = Outcome::kTlsStalled;
constexpr Outcome kReset = Outcome::kTlsReset;

TEST(MtuVerdictTest, AllPassingIsNone) {
  EXPECT_EQ(mtu_verdict(kOk, kOk, kOk), MtuVerdict::kNone);
}

TEST(MtuVerdictTest, ClampedPassingWhileUnclampedDieIsInbound) {
  EXPECT_EQ(mtu_verdict(kStalled, kOk, kStalled), MtuVerdict::kInbound);
  EXPECT_EQ(mtu_verdict(kReset, kOk, kReset), MtuVerdict::kInbound);
  EXPECT_EQ(mtu_verdict(kStalled, kOk, kReset), MtuVerdict::kInbound);
  // Large downloads die where the handshake flight happened to fit.
  EXPECT_EQ(mtu_verdict(Outcome::kHttpStalled, kOk, Outcome::kHttpStalled), MtuVerdict::kInbound);
  EXPECT_EQ(mtu_verdict(Outcome::kHttpIncomplete, kOk, kStalled), MtuVerdict::kInbound);
}

TEST(MtuVerdictTest, PaddedHelloDyingWhileNormalPassesIsOutbound) {
  EXPECT_EQ(mtu_verdict(kOk, kOk, kStalled), MtuVerdict::kOutbound);
  EXPECT_EQ(mtu_verdict(kOk, kOk, kReset), MtuVerdict::kOutbound);
}

TEST(MtuVerdictTest, EverythingFailingAlikeIsNotMtu) {
  // A proxy that answers 200 and then relays nothing.
  EXPECT_EQ(mtu_verdict(kStalled, kStalled, kStalled), MtuVerdict::kNone);
  EXPECT_EQ(mtu_verdict(kReset, kReset, kReset), MtuVerdict::kNone);
  EXPECT_EQ(mtu_verdict(Outcome::kTcpRefused, Outcome::kTcpRefused, Outcome::kTcpRefused),
            MtuVerdict::kNone);
  EXPECT_EQ(mtu_verdict(Outcome::kProxyDenied, Outcome::kProxyDenied, Outcome::kProxyDenied),
            MtuVerdict::kNone);
  // Failing before any large segment, even if not identically.
  EXPECT_EQ(mtu_verdict(Outcome::kProxyStalled, Outcome::kProxyClosed, Outcome::kProxyStalled),
            MtuVerdict::kNone);
}

TEST(MtuVerdictTest, DisagreementThatNamesNoDirectionIsInconclusive) {
  // The unclamped padded probe passing contradicts an inbound loss of the normal one.
  EXPECT_EQ(mtu_verdict(kStalled, kOk, kOk), MtuVerdict::kInconclusive);
  // Only the clamped probe fails.
  EXPECT_EQ(mtu_verdict(kOk, kStalled, kOk), MtuVerdict::kInconclusive);
  // The padded hello refused by the server, not lost: intolerance, not size.
  EXPECT_EQ(mtu_verdict(kOk, kOk, Outcome::kTlsFailed), MtuVerdict::kInconclusive);
  // Padded handshake passed; its download failing says nothing about the ClientHello.
  EXPECT_EQ(mtu_verdict(kOk, kOk, Outcome::kHttpStalled), MtuVerdict::kInconclusive);
  // A normal probe failing before the tunnel while the clamped one passes: chance, not size.
  EXPECT_EQ(mtu_verdict(Outcome::kProxyStalled, kOk, kStalled), MtuVerdict::kInconclusive);
  // Everything fails, but the in-flight failures differ.
  EXPECT_EQ(mtu_verdict(kStalled, kReset, kStalled), MtuVerdict::kInconclusive);
}

TEST(MtuVerdictTest, VerdictNamesAreTheJsonSpelling) {
  EXPECT_EQ(to_string(MtuVerdict::kNone), "none");
  EXPECT_EQ(to_string(MtuVerdict::kInbound), "inbound");
  EXPECT_EQ(to_string(MtuVerdict::kOutbound), "outbound");
  EXPECT_EQ(to_string(MtuVerdict::kInconclusive), "inconclusive");
}

TEST(ClientHelloPadTest, PadFillsOneSegmentOfTheSendMss) {
  EXPECT_EQ(client_hello_pad_bytes(1448), 1448u);
  EXPECT_EQ(client_hello_pad_bytes(524), 524u);
  EXPECT_EQ(client_hello_pad_bytes(0), 1460u);                   // unknown: Ethernet's
  EXPECT_EQ(client_hello_pad_bytes(65483), kMaxClientHelloPad);  // loopback: one TLS record
}

MtuReport inbound_report() {
  MtuReport report;
  report.normal.outcome = Outcome::kTlsStalled;
  report.normal.phase = Phase::kTlsHandshake;
  report.normal.tcp_after_connect = TcpInfo{.snd_mss = 1448, .rcv_mss = 536, .pmtu = 1500};
  report.clamped.tcp_after_connect = TcpInfo{.snd_mss = 524, .rcv_mss = 524, .pmtu = 1500};
  report.padded = report.normal;
  report.padded.tcp_at_end = TcpInfo{.retransmits = 3, .snd_mss = 1448, .pmtu = 1500};
  report.verdict =
      mtu_verdict(report.normal.outcome, report.clamped.outcome, report.padded.outcome);
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
