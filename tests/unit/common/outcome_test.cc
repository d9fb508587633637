// Outcome and phase names, the mapping of CONNECT status codes to outcomes, and the table of
// outcome traits against the classes it replaced.
#include "common/outcome.h"

#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace proxywatch {
namespace {

TEST(OutcomeTest, ForbiddenMapsToProxyDenied) {
  EXPECT_EQ(outcome_for_connect_status(403), Outcome::kProxyDenied);
}

TEST(OutcomeTest, BadGatewayAndGatewayTimeoutMapToUpstreamFailed) {
  EXPECT_EQ(outcome_for_connect_status(502), Outcome::kProxyUpstreamFailed);
  EXPECT_EQ(outcome_for_connect_status(504), Outcome::kProxyUpstreamFailed);
}

TEST(OutcomeTest, ServiceUnavailableMapsToProxyUnavailable) {
  EXPECT_EQ(outcome_for_connect_status(503), Outcome::kProxyUnavailable);
}

TEST(OutcomeTest, ProxyAuthenticationRequiredMapsToAuthRequired) {
  EXPECT_EQ(outcome_for_connect_status(407), Outcome::kProxyAuthRequired);
}

TEST(OutcomeTest, AnyTwoHundredOpensTheTunnel) {
  // RFC 9110 §9.3.6: any 2xx response to CONNECT means the tunnel is open.
  EXPECT_EQ(outcome_for_connect_status(200), Outcome::kOk);
  EXPECT_EQ(outcome_for_connect_status(204), Outcome::kOk);
}

TEST(OutcomeTest, OtherStatusesMapToProxyError) {
  for (unsigned status : {100u, 301u, 400u, 404u, 405u, 500u, 505u}) {
    EXPECT_EQ(outcome_for_connect_status(status), Outcome::kProxyError) << status;
  }
}

TEST(OutcomeTest, NamesRoundTripAndAreUnique) {
  std::set<std::string_view> names;
  for (Outcome o : kAllOutcomes) {
    EXPECT_EQ(outcome_from_string(to_string(o)), o);
    EXPECT_TRUE(names.insert(to_string(o)).second) << to_string(o);
  }
  for (Phase p : kAllPhases) EXPECT_EQ(phase_from_string(to_string(p)), p);
  EXPECT_EQ(outcome_from_string("no_such_outcome"), std::nullopt);
  EXPECT_EQ(to_string(Outcome::kTlsVerifyFailed), "tls_verify_failed");
  EXPECT_EQ(to_string(Phase::kHttpFirstByte), "http_first_byte");
}

TEST(OutcomeTest, StallsAreTheDeadlineOutcomes) {
  EXPECT_TRUE(is_stall(Outcome::kProxyStalled));
  EXPECT_TRUE(is_stall(Outcome::kTlsStalled));
  EXPECT_TRUE(is_stall(Outcome::kHttpStalled));
  EXPECT_FALSE(is_stall(Outcome::kTlsReset));
  EXPECT_FALSE(is_stall(Outcome::kOk));
}

// The classes the other stages derived with `||` chains and switches before kOutcomeTraits,
// written out as they were: the table must give every outcome the same answers.
bool old_stall(Outcome o) {
  return o == Outcome::kProxyStalled || o == Outcome::kTlsStalled || o == Outcome::kHttpStalled ||
         o == Outcome::kTcpTimeout;
}
bool old_unreachable(Outcome o) {
  return o == Outcome::kDnsFailed || o == Outcome::kTcpRefused || o == Outcome::kTcpTimeout;
}
bool old_auth_problem(Outcome o) {
  return o == Outcome::kProxyAuthRequired || o == Outcome::kProxyAuthFailed ||
         o == Outcome::kProxyAuthUnsupported || o == Outcome::kProxyAuthInsecure;
}
bool old_overload_sign(Outcome o) {
  return o == Outcome::kProxyUnavailable || o == Outcome::kProxyStalled ||
         o == Outcome::kTcpTimeout;
}
bool old_transfer_cut(Outcome o) {
  return o == Outcome::kHttpStalled || o == Outcome::kHttpIncomplete;
}
bool old_lost_in_flight(Outcome o) {
  return o == Outcome::kTlsStalled || o == Outcome::kTlsReset || o == Outcome::kHttpStalled ||
         o == Outcome::kHttpIncomplete;
}
bool old_hello_lost(Outcome o) {
  return o == Outcome::kTlsStalled || o == Outcome::kTlsReset;
}
// metrics.cc's auth_result_of before the table; proxy_auth_insecure fell through its label list
// to "unsupported" (the bug the table fixes), so it is checked on its own below.
std::optional<AuthResult> old_auth_result(Outcome o) {
  if (o == Outcome::kProxyAuthFailed) return AuthResult::kFailed;
  if (o == Outcome::kProxyAuthRequired) return AuthResult::kRequired;
  if (o == Outcome::kProxyAuthUnsupported) return AuthResult::kUnsupported;
  return std::nullopt;
}

TEST(OutcomeTraitsTest, EveryOutcomeKeepsTheClassesItHadBeforeTheTable) {
  for (Outcome o : kAllOutcomes) {
    const OutcomeTraits& t = traits(o);
    SCOPED_TRACE(std::string(to_string(o)));
    EXPECT_EQ(t.outcome, o);
    EXPECT_EQ(t.stall, old_stall(o));
    EXPECT_EQ(is_stall(o), old_stall(o));
    EXPECT_EQ(t.reset, o == Outcome::kTlsReset);
    EXPECT_EQ(t.overload_sign, old_overload_sign(o));
    EXPECT_EQ(t.rule == RuleClass::kUnreachable, old_unreachable(o));
    EXPECT_EQ(t.rule == RuleClass::kDenied, o == Outcome::kProxyDenied);
    EXPECT_EQ(t.rule == RuleClass::kAuth, old_auth_problem(o));
    EXPECT_EQ(t.rule == RuleClass::kTransferCut, old_transfer_cut(o));
    EXPECT_EQ(t.loss != SegmentLoss::kNone, old_lost_in_flight(o));
    EXPECT_EQ(t.loss == SegmentLoss::kHandshake, old_hello_lost(o));
    if (o != Outcome::kProxyAuthInsecure) {
      EXPECT_EQ(t.auth, old_auth_result(o));
    }
  }
}

TEST(OutcomeTraitsTest, InsecureAuthenticationIsItsOwnResult) {
  EXPECT_EQ(traits(Outcome::kProxyAuthInsecure).auth, AuthResult::kInsecure);
  EXPECT_EQ(to_string(AuthResult::kInsecure), "insecure");
}

TEST(OutcomeTraitsTest, TableIsInEnumOrderWithOneNamePerOutcome) {
  ASSERT_EQ(kOutcomeTraits.size(), kAllOutcomes.size());
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < kOutcomeTraits.size(); ++i) {
    EXPECT_EQ(kOutcomeTraits[i].outcome, static_cast<Outcome>(i));
    EXPECT_EQ(kAllOutcomes[i], static_cast<Outcome>(i));
    EXPECT_TRUE(names.insert(kOutcomeTraits[i].name).second) << kOutcomeTraits[i].name;
  }
}

TEST(AuthResultTest, NamesAreTheDocumentedLabelValues) {
  std::vector<std::string_view> names;
  for (AuthResult r : kAllAuthResults) names.push_back(to_string(r));
  EXPECT_EQ(names,
            (std::vector<std::string_view>{"ok", "failed", "required", "unsupported", "insecure"}));
}

}  // namespace
}  // namespace proxywatch
