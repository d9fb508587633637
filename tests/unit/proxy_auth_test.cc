// Proxy authentication answers: RFC 7616's and RFC 7617's own examples, challenge preference,
// and the credentials file format.
#include "common/proxy_auth.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "config/credentials.h"
#include "tests/support/temp_dir.h"

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

TEST(ChooseChallengeTest, SchemeLabelsAreBounded) {
  EXPECT_EQ(scheme_label("DIGEST"), "digest");
  EXPECT_EQ(scheme_label("NTLM"), "ntlm");
  EXPECT_EQ(scheme_label("Bearer"), "other");
}

TEST(CnonceTest, FreshAndHex) {
  std::string a = make_cnonce(), b = make_cnonce();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(CredentialsFileTest, UserThenPasswordWithEveryCharacterKept) {
  auto parsed = config::parse_credentials("alice\r\n p:@#;\"\\ x \n", "f");
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  EXPECT_EQ(parsed->user, "alice");
  EXPECT_EQ(parsed->password, " p:@#;\"\\ x ");
  EXPECT_TRUE(config::parse_credentials("bob\n\n", "f")) << "an empty line 2: empty password";
  EXPECT_FALSE(config::parse_credentials("bob\n", "f")) << "a forgotten password is an error";
}

TEST(CredentialsFileTest, MalformedFilesNameTheProblemNotThePassword) {
  auto one_line = config::parse_credentials("alice", "f");
  ASSERT_FALSE(one_line);
  EXPECT_NE(one_line.error().message.find("two lines"), std::string::npos);
  auto colon = config::parse_credentials("a:b\nsecret-pw\n", "f");
  ASSERT_FALSE(colon);
  EXPECT_EQ(colon.error().to_string(),
            "f:1:1: the user name (line 1) holds ':', which HTTP "
            "authentication forbids");
  auto extra = config::parse_credentials("a\nsecret-pw\nmore\n", "f");
  ASSERT_FALSE(extra);
  EXPECT_EQ(extra.error().line, 3);
  EXPECT_EQ(extra.error().to_string().find("secret-pw"), std::string::npos);
}

TEST(CredentialsFileTest, GroupOrWorldReadableFileIsRefused) {
  testing::TempDir dir("pw-cred");
  auto file = dir.write_file("credentials", "alice\nsecret-pw\n");
  ::chmod(file.c_str(), 0640);
  auto loaded = config::load_credentials(file.string(), std::nullopt);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message.find("mode 0640"), std::string::npos) << loaded.error().message;
  ::chmod(file.c_str(), 0600);
  loaded = config::load_credentials(file.string(), std::nullopt);
  ASSERT_TRUE(loaded);
  ASSERT_TRUE(*loaded);
  EXPECT_EQ((*loaded)->credentials.user, "alice");
  EXPECT_EQ((*loaded)->source, "credentials file " + file.string());
}

TEST(CredentialsFileTest, PasswordFileIsOneLineAndPrivate) {
  testing::TempDir dir("pw-cred");
  auto file = dir.write_file("password", " p:@#;\"\\ x \r\n");
  ::chmod(file.c_str(), 0600);
  EXPECT_EQ(config::load_password_file(file.string()).value(), " p:@#;\"\\ x ");
  dir.write_file("password", "secret-pw\nsecond line\n");
  ::chmod(file.c_str(), 0600);
  auto two_lines = config::load_password_file(file.string());
  ASSERT_FALSE(two_lines);
  EXPECT_NE(two_lines.error().message.find("one line"), std::string::npos);
  EXPECT_EQ(two_lines.error().to_string().find("secret-pw"), std::string::npos);
  ::chmod(file.c_str(), 0604);
  auto open = config::load_password_file(file.string());
  ASSERT_FALSE(open);
  EXPECT_NE(open.error().message.find("mode 0604"), std::string::npos);
}

TEST(CredentialsFileTest, PrivacyIsJudgedOnTheDescriptorThatIsRead) {
  // A swapper renames a private and a shared file over the path while the loader runs: a
  // check by path and a second open could pass the private file and read the shared one.
  testing::TempDir dir("pw-cred");
  auto private_file = dir.write_file("private", "private-user\npw\n");
  auto shared_file = dir.write_file("shared", "shared-user\npw\n");
  ::chmod(private_file.c_str(), 0600);
  ::chmod(shared_file.c_str(), 0644);
  auto path = dir.path() / "credentials";
  auto tmp = (dir.path() / "tmp").string();
  std::atomic<bool> stop{false};
  std::thread swapper([&] {
    for (int i = 0; i < 2'000'000 && !stop; ++i) {
      const auto& from = i % 2 ? shared_file : private_file;
      if (::link(from.c_str(), tmp.c_str()) == 0) ::rename(tmp.c_str(), path.c_str());
    }
  });
  int shared_loaded = 0, loads = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < deadline && loads < 200'000) {
    auto loaded = config::load_credentials(path.string(), std::nullopt);
    ++loads;
    if (loaded && *loaded && (*loaded)->credentials.user == "shared-user") ++shared_loaded;
  }
  stop = true;
  swapper.join();
  EXPECT_EQ(shared_loaded, 0) << "of " << loads << " loads";
}

TEST(CredentialsFileTest, SystemdCredentialIsUsedWhenNoFileIsNamed) {
  testing::TempDir dir("pw-cred");
  EXPECT_FALSE(config::load_credentials(std::nullopt, dir.path().string()).value());
  dir.write_file("proxy-credentials", "bob\npw\n");
  auto loaded = config::load_credentials(std::nullopt, dir.path().string());
  ASSERT_TRUE(loaded && *loaded);
  EXPECT_EQ((*loaded)->credentials.user, "bob");
  EXPECT_EQ((*loaded)->source, "systemd credential proxy-credentials");
  EXPECT_FALSE(config::load_credentials(std::nullopt, std::nullopt).value());
}

}  // namespace
}  // namespace proxywatch
