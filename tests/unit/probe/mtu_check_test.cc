// The MTU verdict: which combinations of the normal, clamped and padded outcomes name a
// direction, which say "not MTU", and which cannot tell.
#include "common/probe/mtu_check.h"

#include <gtest/gtest.h>

#include "tests/support/results.h"

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

TEST(MtuReportTest, ConcludingSetsVerdictPadAndDiagnosis) {
  MtuReport report = testing::inbound_mtu_report();
  conclude_mtu_report(report);
  EXPECT_EQ(report.verdict, MtuVerdict::kInbound);
  EXPECT_EQ(report.padded_hello_bytes, 1448u);
  EXPECT_NE(report.diagnosis.find("MSS clamped to 536 the probe passes"), std::string::npos)
      << report.diagnosis;
}

TEST(MtuReportTest, OutboundDiagnosisNamesThePadAndTheReset) {
  MtuReport report;
  report.padded.outcome = Outcome::kTlsReset;
  report.padded.tcp_after_connect = TcpInfo{.snd_mss = 524};
  conclude_mtu_report(report);
  EXPECT_EQ(report.verdict, MtuVerdict::kOutbound);
  EXPECT_NE(report.diagnosis.find("padded by 524 bytes"), std::string::npos) << report.diagnosis;
  EXPECT_NE(report.diagnosis.find("is reset"), std::string::npos) << report.diagnosis;
}

}  // namespace
}  // namespace proxywatch
