// Proxy authentication answers: RFC 7616's and RFC 7617's own examples and challenge
// preference.
#include "common/probe/proxy_auth.h"

#include <gtest/gtest.h>

namespace proxywatch {
namespace {

std::vector<AuthChallenge> challenges(std::string_view header) {
  std::vector<AuthChallenge> out;
  parse_auth_challenges(header, out);
  return out;
}

// RFC 7616 §3.9.1: user Mufasa, password "Circle of Life", GET /dir/index.html.
const char* kRfcChallenge =
    R"(Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=%s, )"
    R"(nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", )"
    R"(opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")";

std::string rfc_answer(const char* algorithm) {
  char header[512];
  std::snprintf(header, sizeof header, kRfcChallenge, algorithm);
  auto parsed = challenges(header);
  DigestRequest request{.method = "GET",
                        .uri = "/dir/index.html",
                        .cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
                        .nc = 1};
  return digest_authorization(parsed.at(0), {"Mufasa", "Circle of Life"}, request).value();
}

TEST(DigestAuthorizationTest, Rfc7616Md5Example) {
  std::string answer = rfc_answer("MD5");
  EXPECT_NE(answer.find(R"(response="8ca523f5e9506fed4657c9700eebdbec")"), std::string::npos)
      << answer;
  EXPECT_NE(answer.find("qop=auth, nc=00000001"), std::string::npos) << answer;
  EXPECT_NE(answer.find(R"(opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")"),
            std::string::npos);
  EXPECT_NE(answer.find(R"(username="Mufasa")"), std::string::npos);
}

TEST(DigestAuthorizationTest, Rfc7616Sha256Example) {
  std::string answer = rfc_answer("SHA-256");
  EXPECT_NE(
      answer.find(R"(response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")"),
      std::string::npos)
      << answer;
  EXPECT_NE(answer.find("algorithm=SHA-256"), std::string::npos);
}

TEST(DigestAuthorizationTest, UserhashSendsTheHashedName) {
  auto parsed =
      challenges(R"(Digest realm="r", nonce="n", qop="auth", algorithm=SHA-256, userhash=true)");
  std::string answer =
      digest_authorization(parsed.at(0), {"Mufasa", "x"}, {"CONNECT", "h:443", "c", 1}).value();
  EXPECT_EQ(answer.find("Mufasa"), std::string::npos) << answer;
  EXPECT_NE(answer.find("userhash=true"), std::string::npos);
}

TEST(DigestAuthorizationTest, QuotesAndBackslashesInTheUserNameAreEscaped) {
  auto parsed = challenges(R"(Digest realm="r", nonce="n")");
  std::string answer =
      digest_authorization(parsed.at(0), {R"(a"b\c)", "x"}, {"CONNECT", "h:443", "c", 1}).value();
  EXPECT_NE(answer.find(R"(username="a\"b\\c")"), std::string::npos) << answer;
  EXPECT_EQ(answer.find("qop="), std::string::npos) << "no qop offered: RFC 2069 form";
}

TEST(DigestAuthorizationTest, UnknownAlgorithmHasNoAnswer) {
  auto parsed = challenges(R"(Digest realm="r", nonce="n", algorithm=SHA-512-256)");
  EXPECT_FALSE(digest_authorization(parsed.at(0), {"u", "p"}, {"CONNECT", "h:443", "c", 1}));
}

TEST(BasicAuthorizationTest, Rfc7617Example) {
  EXPECT_EQ(basic_authorization({"Aladdin", "open sesame"}), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  EXPECT_EQ(basic_authorization({"u", "p:w@#;\"\\ %"}), "Basic dTpwOndAIzsiXCAl");
}

TEST(ChooseChallengeTest, PrefersDigestSha256ThenMd5ThenBasic) {
  auto all = challenges(
      R"(Basic realm="b", Digest realm="r", nonce="1", Digest realm="r", nonce="2", algorithm=SHA-256)");
  auto chosen = choose_challenge(all);
  ASSERT_TRUE(chosen);
  EXPECT_EQ(chosen->scheme, AuthScheme::kDigestSha256);
  EXPECT_EQ(chosen->challenge.params.at("nonce"), "2");
  all.erase(all.begin() + 2);
  EXPECT_EQ(choose_challenge(all)->scheme, AuthScheme::kDigestMd5);
  EXPECT_EQ(choose_challenge(challenges(R"(NTLM, Basic realm="b")"))->scheme, AuthScheme::kBasic);
}

TEST(ChooseChallengeTest, NothingAnswerable) {
  EXPECT_FALSE(choose_challenge(challenges("NTLM, Negotiate")));
  EXPECT_FALSE(choose_challenge(challenges(R"(Digest realm="r")"))) << "no nonce";
  EXPECT_FALSE(choose_challenge(challenges(R"(Digest realm="r", nonce="n", qop="auth-int")")));
  EXPECT_FALSE(choose_challenge({}));
}

TEST(ChooseChallengeTest, StaleIsOnlyDigestStaleTrue) {
  EXPECT_TRUE(is_stale(challenges(R"(Digest nonce="n", stale=TRUE)").at(0)));
  EXPECT_FALSE(is_stale(challenges(R"(Digest nonce="n", stale=false)").at(0)));
  EXPECT_FALSE(is_stale(challenges(R"(Basic stale=true)").at(0)));
}

TEST(CnonceTest, FreshAndHex) {
  std::string a = make_cnonce(), b = make_cnonce();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
}

}  // namespace
}  // namespace proxywatch
