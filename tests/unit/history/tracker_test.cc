// The Tracker: health hysteresis, each pattern rule raising exactly its diagnosis, the
// certificate pin, the time window and record_mtu. Time is injected: no clocks, no sleeps.
#include "common/history/tracker.h"

#include <gtest/gtest.h>

#include "tests/support/results.h"

#include <set>

namespace proxywatch {
namespace {

using namespace std::chrono_literals;

const WallTime kStart = WallTime{} + std::chrono::hours(24 * 365 * 50);

using testing::result;

ProbeResult ok() {
  return result(Outcome::kOk);
}
ProbeResult stalled() {
  return result(Outcome::kProxyStalled, Phase::kProxyConnect);
}
ProbeResult closed() {
  return result(Outcome::kProxyClosed, Phase::kProxyConnect);
}
ProbeResult denied() {
  return result(Outcome::kProxyDenied, Phase::kProxyConnect);
}

// Feeds probes one minute apart and remembers every change.
class Feed {
 public:
  explicit Feed(HealthSettings settings = {}) : tracker(settings) {}
  TrackerChanges add(const ProbeResult& r, const std::string& expect_issuer = "") {
    now += 1min;
    TrackerChanges c = tracker.record(r, now, expect_issuer);
    for (const auto& d : c.diagnoses) (d.raised ? raised : cleared).push_back(d.diagnosis);
    return c;
  }
  void add_n(int n, const ProbeResult& r) {
    for (int i = 0; i < n; ++i) add(r);
  }
  std::set<Diagnosis> active() const {
    std::set<Diagnosis> out;
    for (const auto& [d, a] : tracker.history().active) out.insert(d);
    return out;
  }
  HealthState health() const { return tracker.history().health; }

  Tracker tracker;
  WallTime now = kStart;
  std::vector<Diagnosis> raised;
  std::vector<Diagnosis> cleared;
};

TEST(TrackerHealthTest, UnknownUntilTheFirstPass) {
  Feed f;
  EXPECT_EQ(f.health(), HealthState::kUnknown);
  f.add(closed());
  EXPECT_EQ(f.health(), HealthState::kUnknown);
  auto c = f.add(ok());
  EXPECT_EQ(f.health(), HealthState::kHealthy);
  ASSERT_TRUE(c.health_changed());
  EXPECT_EQ(*c.health_from, HealthState::kUnknown);
}

TEST(TrackerHealthTest, OneBadProbeDoesNotFlipHealthyToFailing) {
  Feed f;
  f.add_n(10, ok());
  auto c = f.add(closed());
  EXPECT_EQ(f.health(), HealthState::kHealthy);
  EXPECT_FALSE(c.health_changed());
  EXPECT_EQ(f.tracker.history().consecutive_failures, 1u);
}

TEST(TrackerHealthTest, FailingAfterThreeInARowAndOneGoodProbeDoesNotClearIt) {
  Feed f;
  f.add_n(10, ok());
  f.add_n(2, closed());
  EXPECT_NE(f.health(), HealthState::kFailing);
  auto c = f.add(closed());
  EXPECT_EQ(f.health(), HealthState::kFailing);
  EXPECT_TRUE(c.health_changed());
  f.add(ok());
  EXPECT_EQ(f.health(), HealthState::kFailing);
  f.add(ok());
  EXPECT_NE(f.health(), HealthState::kFailing);
}

TEST(TrackerHealthTest, DegradedOnWindowRatioAndHealthyOnlyBelowHalfOfIt) {
  HealthSettings s;
  s.window_probes = 10;
  s.degraded_percent = 20;
  Feed f(s);
  f.add_n(8, ok());
  f.add(closed());
  f.add(ok());
  EXPECT_EQ(f.health(), HealthState::kHealthy);  // 1 of 10
  f.add(closed());
  EXPECT_EQ(f.health(), HealthState::kDegraded);  // 2 of 10
  f.add_n(8, ok());
  EXPECT_EQ(f.health(), HealthState::kDegraded);  // 1 of 10: not yet below 10 %
  f.add_n(2, ok());
  EXPECT_EQ(f.health(), HealthState::kHealthy);  // 0 of 10
}

TEST(TrackerHealthTest, TimeWindowForgetsOldProbes) {
  HealthSettings s;
  s.window_duration = 10min;
  Feed f(s);
  f.add_n(5, closed());
  f.now += 1h;
  f.add(ok());
  EXPECT_EQ(f.tracker.history().window.size(), 1u);
}

TEST(TrackerRulesTest, AlternatingPassesAndStallsRaiseProxyOverloadedOnly) {
  Feed f;
  for (int i = 0; i < 6; ++i) {
    f.add(ok());
    f.add(stalled());
  }
  EXPECT_EQ(f.active(), std::set{Diagnosis::kProxyOverloaded});
  EXPECT_EQ(f.raised, std::vector{Diagnosis::kProxyOverloaded});
  const Evidence& e = f.tracker.history().active.at(Diagnosis::kProxyOverloaded).evidence;
  EXPECT_EQ(e.phases, "proxy_connect=6");
  EXPECT_EQ(e.outcomes, "ok=6 proxy_stalled=6");
}

TEST(TrackerRulesTest, AlternatingPassesAndClosesRaiseFlappingOnly) {
  Feed f;
  for (int i = 0; i < 6; ++i) {
    f.add(ok());
    f.add(closed());
  }
  EXPECT_EQ(f.active(), std::set{Diagnosis::kFlapping});
  EXPECT_EQ(f.raised, std::vector{Diagnosis::kFlapping});
  EXPECT_EQ(f.health(), HealthState::kDegraded);
}

TEST(TrackerRulesTest, FlappingClearsWhenThePairSettles) {
  HealthSettings s;
  s.window_probes = 10;
  Feed f(s);
  for (int i = 0; i < 4; ++i) {
    f.add(ok());
    f.add(closed());
  }
  ASSERT_TRUE(f.tracker.active(Diagnosis::kFlapping));
  f.add_n(9, ok());
  EXPECT_FALSE(f.tracker.active(Diagnosis::kFlapping));
  EXPECT_EQ(f.cleared, std::vector{Diagnosis::kFlapping});
}

TEST(TrackerRulesTest, PersistentDeniedRaisesAclBlockOnlyAndTwoPassesClearIt) {
  Feed f;
  f.add_n(2, denied());
  EXPECT_TRUE(f.active().empty());
  f.add(denied());
  EXPECT_EQ(f.active(), std::set{Diagnosis::kAclBlock});
  EXPECT_EQ(f.tracker.history().active.at(Diagnosis::kAclBlock).evidence.matching_probes, 3u);
  f.add(ok());
  EXPECT_TRUE(f.tracker.active(Diagnosis::kAclBlock));
  f.add(ok());
  EXPECT_TRUE(f.active().empty());
}

TEST(TrackerRulesTest, RepeatedAuthFailuresRaiseAuthMisconfiguredOnly) {
  Feed f;
  f.add_n(3, result(Outcome::kProxyAuthFailed, Phase::kProxyConnect));
  EXPECT_EQ(f.active(), std::set{Diagnosis::kAuthMisconfigured});
}

TEST(TrackerRulesTest, RefusedConnectionsRaiseProxyUnreachableOnly) {
  Feed f;
  f.add_n(4, result(Outcome::kTcpRefused, Phase::kTcpConnect));
  EXPECT_EQ(f.active(), std::set{Diagnosis::kProxyUnreachable});
  EXPECT_EQ(f.health(), HealthState::kFailing);
}

TEST(TrackerRulesTest, CutTransfersAfterGoodHandshakesRaiseInspectionInterferenceOnly) {
  Feed f;
  f.add_n(3, ok());
  f.add_n(3, result(Outcome::kHttpStalled, Phase::kTransfer));
  EXPECT_EQ(f.active(), std::set{Diagnosis::kInspectionInterference});
  EXPECT_EQ(f.tracker.history().active.at(Diagnosis::kInspectionInterference).evidence.phases,
            "transfer=3");
}

TEST(TrackerInterceptionTest, UnverifiedCertificateRaisesWithSubjectAndIssuer) {
  Feed f;
  ProbeResult r = result(Outcome::kTlsVerifyFailed, Phase::kTlsHandshake);
  r.tls.subject = "CN=tools.cisco.com";
  r.tls.issuer = "CN=Corp Inspection CA,O=Corp";
  r.tls.verify_error = "unable to get local issuer certificate";
  auto c = f.add(r);
  ASSERT_EQ(c.diagnoses.size(), 1u);
  EXPECT_EQ(c.diagnoses[0].diagnosis, Diagnosis::kInspectionInterference);
  EXPECT_EQ(c.diagnoses[0].evidence.cert_subject, "CN=tools.cisco.com");
  EXPECT_EQ(c.diagnoses[0].evidence.cert_issuer, "CN=Corp Inspection CA,O=Corp");
  EXPECT_NE(c.diagnoses[0].evidence.summary.find("Corp Inspection CA"), std::string::npos);
}

TEST(TrackerInterceptionTest, ExpiredCertificateOfATrustedIssuerIsNoInterception) {
  Feed f;
  ProbeResult r = result(Outcome::kTlsVerifyFailed, Phase::kTlsHandshake);
  r.tls.subject = "CN=tools.cisco.com";
  r.tls.issuer = "CN=IdenTrust Commercial Root CA 1,O=IdenTrust";
  r.tls.verify_error = "certificate has expired";
  r.tls.date_fault = CertDateFault::kExpired;
  f.add_n(3, r);
  EXPECT_TRUE(f.active().empty());
  // The same certificate with a chain error besides its dates is suspect again.
  r.tls.date_fault = CertDateFault::kNone;
  f.add(r);
  EXPECT_EQ(f.active(), std::set{Diagnosis::kInspectionInterference});
}

TEST(TrackerInterceptionTest, ExpiredCertificateStillMeetsTheIssuerPin) {
  Feed f;
  ProbeResult r = result(Outcome::kTlsVerifyFailed, Phase::kTlsHandshake);
  r.tls.subject = "CN=tools.cisco.com";
  r.tls.issuer = "CN=Corp Inspection CA";
  r.tls.date_fault = CertDateFault::kNotYetValid;
  f.add(r, "CN=IdenTrust");
  EXPECT_EQ(f.active(), std::set{Diagnosis::kInspectionInterference});
}

TEST(TrackerInterceptionTest, IssuerOtherThanThePinRaisesAndTheExpectedOneClears) {
  Feed f;
  ProbeResult r = ok();
  r.tls.subject = "CN=tools.cisco.com";
  r.tls.issuer = "CN=Corp Inspection CA";
  f.add(r, "CN=IdenTrust");
  EXPECT_EQ(f.active(), std::set{Diagnosis::kInspectionInterference});
  EXPECT_EQ(
      f.tracker.history().active.at(Diagnosis::kInspectionInterference).evidence.expected_issuer,
      "CN=IdenTrust");
  r.tls.issuer = "CN=IdenTrust Commercial Root CA 1,O=IdenTrust";
  f.add(r, "CN=IdenTrust");
  EXPECT_TRUE(f.active().empty());
  EXPECT_EQ(f.cleared, std::vector{Diagnosis::kInspectionInterference});
}

TEST(TrackerInterceptionTest, NoPinAndAVerifiedCertificateRaiseNothing) {
  Feed f;
  ProbeResult r = ok();
  r.tls.issuer = "CN=Anyone";
  f.add_n(5, r);
  EXPECT_TRUE(f.active().empty());
}

MtuReport mtu(Outcome normal, Outcome clamped, Outcome padded, MtuVerdict verdict) {
  MtuReport report;
  report.normal =
      result(normal, normal == Outcome::kOk ? std::nullopt : std::optional(Phase::kTlsHandshake));
  report.clamped = result(clamped);
  report.padded = result(padded);
  report.normal.tcp_at_end =
      TcpInfo{.retransmits = 4, .snd_mss = 1448, .rcv_mss = 1448, .pmtu = 1500};
  report.verdict = verdict;
  return report;
}

TEST(TrackerMtuTest, InboundVerdictRaisesMtuSuspectedWithDirectionAndTcpEvidence) {
  Tracker t{HealthSettings{}};
  auto c = t.record_mtu(
      mtu(Outcome::kTlsStalled, Outcome::kOk, Outcome::kTlsStalled, MtuVerdict::kInbound), kStart);
  ASSERT_EQ(c.diagnoses.size(), 1u);
  EXPECT_TRUE(c.diagnoses[0].raised);
  EXPECT_EQ(c.diagnoses[0].diagnosis, Diagnosis::kMtuSuspected);
  const Evidence& e = c.diagnoses[0].evidence;
  EXPECT_EQ(e.mtu_direction, "inbound");
  EXPECT_NE(e.mtu_detail.find("normal=tls_stalled (retransmits=4 pmtu=1500 snd_mss=1448"),
            std::string::npos)
      << e.mtu_detail;
  EXPECT_NE(e.mtu_detail.find("mss 536=ok"), std::string::npos) << e.mtu_detail;
  EXPECT_FALSE(c.health_changed());
}

TEST(TrackerMtuTest, SameDirectionAgainRaisesNoNewEventButOtherDirectionDoes) {
  Tracker t{HealthSettings{}};
  auto out = mtu(Outcome::kOk, Outcome::kOk, Outcome::kTlsReset, MtuVerdict::kOutbound);
  EXPECT_EQ(t.record_mtu(out, kStart).diagnoses.size(), 1u);
  EXPECT_TRUE(t.record_mtu(out, kStart + 1h).diagnoses.empty());
  auto in = mtu(Outcome::kTlsReset, Outcome::kOk, Outcome::kTlsReset, MtuVerdict::kInbound);
  auto c = t.record_mtu(in, kStart + 2h);
  ASSERT_EQ(c.diagnoses.size(), 1u);
  EXPECT_EQ(c.diagnoses[0].evidence.mtu_direction, "inbound");
}

TEST(TrackerMtuTest, NoneClearsAndInconclusiveChangesNothing) {
  Tracker t{HealthSettings{}};
  t.record_mtu(mtu(Outcome::kOk, Outcome::kOk, Outcome::kTlsReset, MtuVerdict::kOutbound), kStart);
  auto c = t.record_mtu(
      mtu(Outcome::kTlsFailed, Outcome::kOk, Outcome::kOk, MtuVerdict::kInconclusive), kStart);
  EXPECT_TRUE(c.diagnoses.empty());
  EXPECT_TRUE(t.active(Diagnosis::kMtuSuspected));
  c = t.record_mtu(mtu(Outcome::kOk, Outcome::kOk, Outcome::kOk, MtuVerdict::kNone), kStart);
  ASSERT_EQ(c.diagnoses.size(), 1u);
  EXPECT_FALSE(c.diagnoses[0].raised);
  EXPECT_FALSE(t.active(Diagnosis::kMtuSuspected));
  EXPECT_EQ(t.history().last_mtu, MtuVerdict::kNone);
}

TEST(TrackerMtuTest, ActiveMtuSuspicionExplainsAlternationInsteadOfFlapping) {
  Feed f;
  f.tracker.record_mtu(
      mtu(Outcome::kTlsStalled, Outcome::kOk, Outcome::kTlsStalled, MtuVerdict::kInbound), f.now);
  for (int i = 0; i < 6; ++i) {
    f.add(ok());
    f.add(result(Outcome::kTlsStalled, Phase::kTlsHandshake));
  }
  EXPECT_EQ(f.active(), std::set{Diagnosis::kMtuSuspected});
}

}  // namespace
}  // namespace proxywatch
