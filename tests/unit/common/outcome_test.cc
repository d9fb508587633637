// Outcome and phase names, and the mapping of CONNECT status codes to outcomes.
#include "common/outcome.h"

#include <set>

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

}  // namespace
}  // namespace proxywatch
