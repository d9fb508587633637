// Proxy-Authenticate parsing (RFC 9110 §11.6.1).
#include "common/probe/auth_challenge.h"

#include <gtest/gtest.h>

namespace proxywatch {
namespace {

std::vector<AuthChallenge> parse(std::string_view header) {
  std::vector<AuthChallenge> out;
  parse_auth_challenges(header, out);
  return out;
}

TEST(AuthChallengeTest, BasicWithRealm) {
  auto c = parse(R"(Basic realm="Squid proxy")");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_TRUE(c[0].is("basic"));
  EXPECT_EQ(c[0].params.at("realm"), "Squid proxy");
}

TEST(AuthChallengeTest, SeveralChallengesInOneHeader) {
  auto c = parse(R"(Digest realm="r", nonce="abc", qop="auth,auth-int", Basic realm="b", NTLM)");
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0].scheme, "Digest");
  EXPECT_EQ(c[0].params.at("nonce"), "abc");
  EXPECT_EQ(c[0].params.at("qop"), "auth,auth-int");
  EXPECT_EQ(c[1].scheme, "Basic");
  EXPECT_EQ(c[1].params.at("realm"), "b");
  EXPECT_EQ(c[2].scheme, "NTLM");
}

TEST(AuthChallengeTest, QuotedStringEscapesAreUnescaped) {
  auto c = parse(R"(Digest realm="a \"quoted\" \\ realm", stale=TRUE)");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].params.at("realm"), R"(a "quoted" \ realm)");
  EXPECT_EQ(c[0].params.at("stale"), "TRUE");
}

TEST(AuthChallengeTest, ParameterNamesAreCaseInsensitiveAndUnknownOnesKept) {
  auto c = parse(R"(Digest Realm="r", NONCE=n1, x-vendor="v")");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].params.at("realm"), "r");
  EXPECT_EQ(c[0].params.at("nonce"), "n1");
  EXPECT_EQ(c[0].params.at("x-vendor"), "v");
}

TEST(AuthChallengeTest, Token68IsKeptForNegotiate) {
  auto c =
      parse("Negotiate YIIBhgYGKwYBBQUCoIIBejCCAXagGDAWBgkqhkiC9xIBAgIGCSqGSIb3EgECAg==, NTLM");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].token68, "YIIBhgYGKwYBBQUCoIIBejCCAXagGDAWBgkqhkiC9xIBAgIGCSqGSIb3EgECAg==");
  EXPECT_TRUE(c[1].is("ntlm"));
}

TEST(AuthChallengeTest, UnterminatedQuoteKeepsWhatWasRead) {
  auto c = parse(R"(Basic realm="r", Digest realm="never closed)");
  ASSERT_GE(c.size(), 1u);
  EXPECT_TRUE(c[0].is("Basic"));
}

TEST(AuthChallengeTest, EmptyAndGarbageHeadersGiveNoCrash) {
  EXPECT_TRUE(parse("").empty());
  EXPECT_TRUE(parse(" , ,, ").empty());
  auto c = parse("=== \"\" ,");
  EXPECT_LE(c.size(), 1u);
}

TEST(AuthChallengeTest, OnlyNtlmOrNegotiateIsUnsupported) {
  EXPECT_TRUE(only_unsupported_schemes(parse("NTLM")));
  EXPECT_TRUE(only_unsupported_schemes(parse("Negotiate, NTLM")));
  EXPECT_FALSE(only_unsupported_schemes(parse(R"(NTLM, Basic realm="x")")));
  EXPECT_FALSE(only_unsupported_schemes({}));
}

}  // namespace
}  // namespace proxywatch
