// Proxy authentication through the real `proxywatch check --json`: squid with basic_ncsa_auth
// and with digest_file_auth (right, wrong, missing and special-character passwords), tinyproxy
// with BasicAuth, and scripted proxies for Digest SHA-256, a stale nonce, a proxy that closes
// after its 407 and an NTLM-only proxy. Every run's output is searched for the password. The
// daemon's side is in auth_daemon_test.cc; the fixture in proxy_auth_fixture.h.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "tests/integration/proxy_auth_fixture.h"
#include "tests/support/auth_proxy.h"
#include "tests/support/fake_proxy.h"
#include "tests/support/local_port.h"
#include "tests/support/process.h"
#include "tests/support/tinyproxy.h"

namespace proxywatch {
namespace {

namespace json = boost::json;
using testing::AuthProxy;

// With --capture and --packets (issue 19): the capture and the packet reading hold neither the
// password nor its base64, and the CONNECT's header shows masked.
TEST_F(ProxyAuthTest, SquidBasicRightPasswordOpensTheTunnel) {
  auto pcap = dir_->path() / "basic.pcap";
  auto run =
      check(squid_basic().port(),
            {"--proxy-user", "carol", "--packets", "--capture", pcap.string()}, kPlainPassword);
  expect(run, "ok");
  EXPECT_EQ(run.auth("scheme"), "Basic");
  EXPECT_EQ(run.auth("attempts"), 1);
  expect_clean_capture(pcap, "carol", kPlainPassword);
  std::string packets = json::serialize(run.result.at("packets"));
  EXPECT_NE(packets.find("with Proxy-Authorization (masked)"), std::string::npos) << packets;
  EXPECT_NE(packets.find("HTTP/1.1 407"), std::string::npos) << packets;
  EXPECT_NE(packets.find("TLS ClientHello"), std::string::npos) << packets;
}

TEST_F(ProxyAuthTest, SquidBasicWrongPasswordIsAuthFailed) {
  auto run = check(squid_basic().port(), {"--proxy-user", "carol"}, "wrong-password");
  expect(run, "proxy_auth_failed");
  EXPECT_EQ(run.str("phase"), "proxy_connect");
  EXPECT_NE(run.str("diagnosis").find("carol"), std::string::npos) << run.str("diagnosis");
}

TEST_F(ProxyAuthTest, SquidBasicWithoutCredentialsIsAuthRequired) {
  auto run = check(squid_basic().port(), {});
  expect(run, "proxy_auth_required");
  EXPECT_EQ(run.result.at("auth_schemes").as_array().at(0), "Basic");
  EXPECT_TRUE(run.result.at("auth").is_null());
}

TEST_F(ProxyAuthTest, SquidBasicSpecialCharacterAndUtf8Passwords) {
  expect(check(squid_basic().port(), {"--proxy-user", "alice"}, kSpecialPassword), "ok");
  expect(check(squid_basic().port(), {"--proxy-user", "bob"}, kUtf8Password), "ok");
}

TEST_F(ProxyAuthTest, SquidDigestRightPasswordOpensTheTunnel) {
  auto pcap = dir_->path() / "digest.pcap";
  auto run =
      check(squid_digest().port(),
            {"--proxy-user", "carol", "--packets", "--capture", pcap.string()}, kPlainPassword);
  expect(run, "ok");
  EXPECT_EQ(run.auth("scheme"), "Digest MD5");
  expect_clean_capture(pcap, "carol", kPlainPassword);
  EXPECT_NE(json::serialize(run.result.at("packets")).find("with Proxy-Authorization (masked)"),
            std::string::npos);
}

TEST_F(ProxyAuthTest, SquidDigestWrongPasswordIsAuthFailed) {
  expect(check(squid_digest().port(), {"--proxy-user", "carol"}, "wrong-password"),
         "proxy_auth_failed");
}

TEST_F(ProxyAuthTest, SquidDigestWithoutCredentialsIsAuthRequired) {
  auto run = check(squid_digest().port(), {});
  expect(run, "proxy_auth_required");
  EXPECT_EQ(run.result.at("auth_schemes").as_array().at(0), "Digest");
}

TEST_F(ProxyAuthTest, SquidDigestSpecialCharacterPasswordFromAFile) {
  auto file = dir_->write_file("alice.password", kSpecialPassword + "\n");
  std::filesystem::permissions(
      file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto run = check(squid_digest().port(),
                   {"--proxy-user", "alice", "--proxy-password-file", file.string()});
  expect(run, "ok");
  expect(check(squid_digest().port(), {"--proxy-user", "bob"}, kUtf8Password), "ok");
}

TEST_F(ProxyAuthTest, SquidOfferingBothIsAnsweredWithDigest) {
  auto run = check(squid_both().port(), {"--proxy-user", "carol"}, kPlainPassword);
  expect(run, "ok");
  EXPECT_EQ(run.auth("scheme"), "Digest MD5");
}

TEST_F(ProxyAuthTest, TinyproxyBasicAuth) {
  testing::Tinyproxy tiny({.basic_auth_user = "tiny", .basic_auth_password = "tiny.pass-1"});
  // Tinyproxy resolves names with the system resolver: the target is an IP literal.
  const std::string target = local(origin_->port());
  expect(check(tiny.port(), {"--proxy-user", "tiny"}, "tiny.pass-1", target), "ok");
  expect(check(tiny.port(), {"--proxy-user", "tiny"}, "wrong-password", target),
         "proxy_auth_failed");
  expect(check(tiny.port(), {}, "", target), "proxy_auth_required");
}

TEST_F(ProxyAuthTest, DigestSha256IsPreferredAndReusesTheConnection) {
  AuthProxy proxy({.user = "carol", .password = kPlainPassword, .upstream_port = origin_->port()});
  auto run = check(proxy.port(), {"--proxy-user", "carol"}, kPlainPassword);
  expect(run, "ok");
  EXPECT_EQ(run.auth("scheme"), "Digest SHA-256");
  EXPECT_EQ(run.auth("reconnects"), 0);
  auto requests = proxy.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].connection, requests[0].connection);
  EXPECT_NE(requests[1].head.find("algorithm=SHA-256"), std::string::npos) << requests[1].head;
  EXPECT_NE(requests[1].head.find("uri=\"" + origin() + "\""), std::string::npos);
}

TEST_F(ProxyAuthTest, StaleNonceIsRetriedOnce) {
  AuthProxy proxy({.algorithm = "MD5",
                   .user = "carol",
                   .password = kPlainPassword,
                   .stale_once = true,
                   .upstream_port = origin_->port()});
  auto run = check(proxy.port(), {"--proxy-user", "carol"}, kPlainPassword);
  expect(run, "ok");
  EXPECT_EQ(run.auth("stale_retry"), true);
  EXPECT_EQ(run.auth("attempts"), 2);
  EXPECT_EQ(proxy.requests().size(), 3u);
}

// A proxy that calls every nonce stale, its fresh ones too: named as such, not as a wrong
// password, after exactly one retry.
TEST_F(ProxyAuthTest, StaleNonceForeverIsNamedAsTheProxysNonceHandling) {
  AuthProxy proxy({.algorithm = "MD5",
                   .user = "carol",
                   .password = kPlainPassword,
                   .stale_always = true,
                   .upstream_port = origin_->port()});
  auto run = check(proxy.port(), {"--proxy-user", "carol"}, kPlainPassword);
  expect(run, "proxy_auth_failed");
  EXPECT_EQ(run.auth("attempts"), 2);
  EXPECT_EQ(run.auth("stale_loop"), true);
  EXPECT_EQ(proxy.requests().size(), 3u);
  EXPECT_NE(run.str("diagnosis").find("rejects the nonces it issues"), std::string::npos)
      << run.out;
  EXPECT_EQ(run.str("diagnosis").find("rejected the credentials"), std::string::npos);
}

TEST_F(ProxyAuthTest, ProxyClosingAfterItsChallengeIsAnsweredOnANewConnection) {
  AuthProxy proxy({.user = "carol",
                   .password = kPlainPassword,
                   .close_after_407 = true,
                   .upstream_port = origin_->port()});
  auto run = check(proxy.port(), {"--proxy-user", "carol"}, kPlainPassword);
  expect(run, "ok");
  EXPECT_EQ(run.auth("reconnects"), 1);
  auto requests = proxy.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_NE(requests[1].connection, requests[0].connection);
}

TEST_F(ProxyAuthTest, ProxyBreakingItsKeepAlivePromiseIsAnsweredOnANewConnection) {
  AuthProxy proxy({.user = "carol",
                   .password = kPlainPassword,
                   .fin_despite_keep_alive = true,
                   .upstream_port = origin_->port()});
  auto run = check(proxy.port(), {"--proxy-user", "carol"}, kPlainPassword);
  expect(run, "ok");
  EXPECT_EQ(run.auth("reconnects"), 1);
  auto requests = proxy.requests();
  ASSERT_GE(requests.size(), 2u);
  EXPECT_NE(requests.back().connection, requests.front().connection);
}

TEST_F(ProxyAuthTest, BasicOnlyScriptedProxyWrongPasswordIsBounded) {
  AuthProxy proxy({.scheme = "Basic",
                   .user = "carol",
                   .password = kPlainPassword,
                   .upstream_port = origin_->port()});
  auto run = check(proxy.port(), {"--proxy-user", "carol"}, "wrong-password");
  expect(run, "proxy_auth_failed");
  EXPECT_EQ(proxy.requests().size(), 2u);  // once without, once with credentials; no loop
}

TEST_F(ProxyAuthTest, RefuseBasicNeverSendsThePasswordToABasicOnlyProxy) {
  AuthProxy proxy({.scheme = "Basic",
                   .user = "carol",
                   .password = kPlainPassword,
                   .upstream_port = origin_->port()});
  auto run = check(proxy.port(), {"--proxy-user", "carol", "--refuse-basic"}, kPlainPassword);
  expect(run, "proxy_auth_insecure");
  EXPECT_EQ(run.str("phase"), "proxy_connect");
  EXPECT_NE(run.str("diagnosis").find("in clear"), std::string::npos) << run.str("diagnosis");
  auto requests = proxy.requests();
  ASSERT_EQ(requests.size(), 1u);  // the first CONNECT only: no Proxy-Authorization ever sent
  EXPECT_EQ(requests[0].head.find("Proxy-Authorization"), std::string::npos);
}

TEST_F(ProxyAuthTest, RefuseBasicStillAnswersDigestWhenBothAreOffered) {
  auto run =
      check(squid_both().port(), {"--proxy-user", "carol", "--refuse-basic"}, kPlainPassword);
  expect(run, "ok");
  EXPECT_EQ(run.auth("scheme"), "Digest MD5");
}

TEST_F(ProxyAuthTest, NtlmOnlyProxyIsUnsupportedEvenWithCredentials) {
  testing::FakeProxy proxy(
      {.behavior = testing::FakeProxy::Behavior::kStatus,
       .status_line = "HTTP/1.1 407 Proxy Authentication Required",
       .extra_headers = {"Proxy-Authenticate: NTLM", "Proxy-Authenticate: Negotiate"}});
  auto run = check(proxy.port(), {"--proxy-user", "carol"}, kPlainPassword);
  expect(run, "proxy_auth_unsupported");
  EXPECT_NE(run.str("diagnosis").find("NTLM"), std::string::npos);
}

TEST_F(ProxyAuthTest, PasswordFileReadableByOthersIsRefused) {
  auto file = dir_->write_file("open.password", kPlainPassword + "\n");
  std::filesystem::permissions(
      file, std::filesystem::perms::owner_read | std::filesystem::perms::others_read);
  auto run = check(squid_basic().port(),
                   {"--proxy-user", "carol", "--proxy-password-file", file.string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("readable by group or others"), std::string::npos) << run.err;
}

TEST_F(ProxyAuthTest, UserWithoutPasswordIsAUsageError) {
  auto run = check(squid_basic().port(), {"--proxy-user", "carol"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("PROXYWATCH_PROXY_PASSWORD"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace proxywatch
