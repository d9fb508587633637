// Proxy authentication through the real `proxywatch check --json`: squid with basic_ncsa_auth
// and with digest_file_auth (right, wrong, missing and special-character passwords), tinyproxy
// with BasicAuth, and scripted proxies for Digest SHA-256, a stale nonce, a proxy that closes
// after its 407 and an NTLM-only proxy. Every run's output is searched for the password.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "tests/support/auth_proxy.h"
#include "tests/support/fake_proxy.h"
#include "tests/support/local_port.h"
#include "tests/support/process.h"
#include "tests/support/scrape.h"
#include "tests/support/squid.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"
#include "tests/support/tinyproxy.h"
#include "tests/support/tls_origin.h"
#include "tests/support/wait.h"

namespace proxywatch {
namespace {

namespace json = boost::json;
using testing::AuthProxy;

// Every printable ASCII special character, a space among them.
const std::string kSpecialPassword = R"(p !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~w)";
const std::string kUtf8Password = "pässwörd-€-密码";
const std::string kPlainPassword = "carol-password-1";

struct CheckRun {
  int exit_code = -1;
  json::object result;
  std::string out, err;

  std::string str(std::string_view key) const {
    const json::value* v = result.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  }
  const json::value& auth(std::string_view key) const {
    static const json::value null;
    const json::value* a = result.if_contains("auth");
    if (!a || !a->is_object()) return null;
    const json::value* v = a->as_object().if_contains(key);
    return v ? *v : null;
  }
};

class ProxyAuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<testing::TempDir>("pw-auth");
    auto ca = testing::make_ca(dir_->path(), "proxywatch test CA");
    auto leaf = testing::make_leaf(ca, dir_->path(), "origin", {"origin.test"}, {"127.0.0.1"});
    ca_file_ = ca.cert_file.string();
    origin_ = std::make_unique<testing::TlsOrigin>(leaf.cert_file, leaf.key_file);
    dir_->give_to_user("proxy");
    write_password_files();
  }
  static void TearDownTestSuite() {
    squid_basic_.reset();
    squid_digest_.reset();
    squid_both_.reset();
    origin_.reset();
    dir_.reset();
  }

  // htpasswd (MD5-crypt) and digest_file_auth's "user:realm:HA1" lines for three users.
  static void write_password_files() {
    const std::string htpasswd = (dir_->path() / "htpasswd").string();
    const std::vector<std::pair<std::string, std::string>> users = {
        {"alice", kSpecialPassword}, {"bob", kUtf8Password}, {"carol", kPlainPassword}};
    std::string digest;
    bool first = true;
    for (const auto& [user, password] : users) {
      std::vector<std::string> argv = {"htpasswd", "-b", "-m"};
      if (first) argv.push_back("-c");
      argv.insert(argv.end(), {htpasswd, user, password});
      auto run = testing::run_process(argv);
      ASSERT_EQ(run.exit_code, 0) << "htpasswd failed for " << user;
      digest += user +
                ":proxywatch:" + testing::hex_digest("MD5", user + ":proxywatch:" + password) +
                "\n";
      first = false;
    }
    dir_->write_file("digest", digest);
    std::filesystem::permissions(htpasswd, std::filesystem::perms::owner_read |
                                               std::filesystem::perms::owner_write |
                                               std::filesystem::perms::others_read);
  }

  // The squids start on first use: ctest runs every test in a process of its own, and most
  // tests need one squid or none.
  static testing::Squid& squid_basic() {
    if (!squid_basic_)
      squid_basic_ = start_squid({basic_program(), "auth_param basic realm proxywatch"});
    return *squid_basic_;
  }
  static testing::Squid& squid_digest() {
    if (!squid_digest_)
      squid_digest_ = start_squid({digest_program(), "auth_param digest realm proxywatch"});
    return *squid_digest_;
  }
  // Offers Digest and Basic, in that order.
  static testing::Squid& squid_both() {
    if (!squid_both_) {
      squid_both_ = start_squid({digest_program(), "auth_param digest realm proxywatch",
                                 basic_program(), "auth_param basic realm proxywatch"});
    }
    return *squid_both_;
  }
  static std::string basic_program() {
    return "auth_param basic program /usr/lib/squid/basic_ncsa_auth " +
           (dir_->path() / "htpasswd").string();
  }
  static std::string digest_program() {
    return "auth_param digest program /usr/lib/squid/digest_file_auth -c " +
           (dir_->path() / "digest").string();
  }

  static std::unique_ptr<testing::Squid> start_squid(std::vector<std::string> auth_lines) {
    auth_lines.push_back("acl authed proxy_auth REQUIRED");
    return std::make_unique<testing::Squid>(
        testing::Squid::Options{.hosts = {{"origin.test", "127.0.0.1"}},
                                .denied_domains = {},
                                .extra_config = std::move(auth_lines),
                                .extra_http_access = {"http_access deny !authed"}});
  }

  static std::string local(std::uint16_t port) { return "127.0.0.1:" + std::to_string(port); }
  static std::string origin() { return "origin.test:" + std::to_string(origin_->port()); }

  // `proxywatch check --json` through `proxy` with `extra` flags; the password, when given, in
  // PROXYWATCH_PROXY_PASSWORD. Fails the test if any output holds a password of this suite.
  static CheckRun check(std::uint16_t proxy, std::vector<std::string> extra,
                        const std::string& password = "", const std::string& target = "") {
    std::vector<std::string> argv = {
        PROXYWATCH_BINARY, "check",    "--json",
        "--ca-file",       ca_file_,   "--proxy",
        local(proxy),      "--target", target.empty() ? origin() : target,
        "--timeout",       "3",        "--request",
        "HEAD /"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    testing::EnvAdditions env;
    if (!password.empty()) env["PROXYWATCH_PROXY_PASSWORD"] = password;
    auto process = testing::run_process(argv, env, std::chrono::seconds(30));
    CheckRun run{.exit_code = process.exit_code.value_or(-1),
                 .result = {},
                 .out = process.out,
                 .err = process.err};
    boost::system::error_code ec;
    json::value parsed = json::parse(run.out, ec);
    if (!ec && parsed.is_object()) run.result = parsed.as_object();
    expect_no_secret(run.out + run.err);
    return run;
  }

  static void expect_no_secret(const std::string& text) {
    for (const std::string& secret : {kSpecialPassword, kUtf8Password, kPlainPassword,
                                      std::string("tiny.pass-1"), std::string("wrong-password")}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << "a password leaked into the output";
    }
  }

  static void expect(const CheckRun& run, std::string_view outcome) {
    EXPECT_EQ(run.str("outcome"), outcome) << run.out << run.err;
    EXPECT_EQ(run.exit_code, outcome == "ok" ? 0 : 1);
  }

  static inline std::unique_ptr<testing::TempDir> dir_;
  static inline std::unique_ptr<testing::TlsOrigin> origin_;
  static inline std::unique_ptr<testing::Squid> squid_basic_, squid_digest_, squid_both_;
  static inline std::string ca_file_;
};

TEST_F(ProxyAuthTest, SquidBasicRightPasswordOpensTheTunnel) {
  auto run = check(squid_basic().port(), {"--proxy-user", "carol"}, kPlainPassword);
  expect(run, "ok");
  EXPECT_EQ(run.auth("scheme"), "Basic");
  EXPECT_EQ(run.auth("attempts"), 1);
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
  auto run = check(squid_digest().port(), {"--proxy-user", "carol"}, kPlainPassword);
  expect(run, "ok");
  EXPECT_EQ(run.auth("scheme"), "Digest MD5");
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
  auto run = check(squid_both().port(), {"--proxy-user", "carol", "--refuse-basic"},
                   kPlainPassword);
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

// The daemon with a credentials file: it authenticates to squid with Digest, counts it in
// /metrics, and nothing it emits — stderr at trace level (where journal events are rendered
// with all their fields), /metrics, config-check, any file in its state directory — holds the
// password.
TEST_F(ProxyAuthTest, DaemonAuthenticatesAndNeverEmitsThePassword) {
  testing::TempDir dir("pw-auth-daemon");
  const std::uint16_t metrics_port = testing::pick_free_port();
  dir.write_file("iprep_proxy.conf", "iprep_proxy {\n  PROXY_HOST 127.0.0.1;\n  PROXY_PORT " +
                                         std::to_string(squid_digest().port()) + ";\n}\n");
  auto credentials = dir.write_file("credentials", "alice\n" + kSpecialPassword + "\n");
  std::filesystem::permissions(
      credentials, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::filesystem::create_directory(dir.path() / "state");
  auto yaml = dir.write_file(
      "proxywatch.yaml",
      "proxy_file: " + (dir.path() / "iprep_proxy.conf").string() +
          "\nmetrics_listen: 127.0.0.1:" + std::to_string(metrics_port) +
          "\ninterval: 1s\njitter: 0s\nlog_level: trace\nstate_dir: " +
          (dir.path() / "state").string() + "\ncredentials_file: " + credentials.string() +
          "\ntimeouts: {proxy_connect: 2s, tls_handshake: 2s}\ntargets:\n  - {name: origin, "
          "host: origin.test, port: " +
          std::to_string(origin_->port()) + ", ca_file: " + ca_file_ + ", request: HEAD /}\n");
  testing::ChildProcess daemon(
      {PROXYWATCH_BINARY, "daemon", "--config", yaml.string(), "--log-target", "stderr"},
      dir.path() / "daemon.log");
  std::string metrics;
  bool authenticated = testing::wait_until(
      [&] {
        metrics = testing::http_get(metrics_port, "/metrics");
        return testing::metric(metrics, "proxywatch_proxy_auth_total", {"result=\"ok\""})
                       .value_or(0) >= 2 &&
               testing::metric(metrics, "proxywatch_probe_success").value_or(0) == 1;
      },
      std::chrono::seconds(15), std::chrono::milliseconds(100));
  EXPECT_TRUE(authenticated) << metrics << daemon.log();
  EXPECT_EQ(
      testing::metric(metrics, "proxywatch_proxy_auth_challenges_total", {"scheme=\"digest\""})
          .value_or(0),
      testing::metric(metrics, "proxywatch_proxy_auth_total", {"result=\"ok\""}).value_or(-1));
  auto config_check =
      testing::run_process({PROXYWATCH_BINARY, "config-check", "--config", yaml.string()});
  EXPECT_EQ(config_check.exit_code, 0) << config_check.err;
  EXPECT_NE(config_check.out.find("credentials: user \"alice\" from credentials file"),
            std::string::npos)
      << config_check.out;
  daemon.terminate();
  std::string emitted = daemon.log() + metrics + config_check.out + config_check.err;
  // The daemon saves its history on stop: the state file is part of what must not hold it.
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "state" / "state.json"));
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path() / "state")) {
    if (entry.is_regular_file())
      emitted += dir.read_file(std::filesystem::relative(entry.path(), dir.path()).string());
  }
  EXPECT_NE(daemon.log().find("probe"), std::string::npos) << "trace logging was captured";
  expect_no_secret(emitted);
}

TEST_F(ProxyAuthTest, DaemonRefusesAWorldReadableCredentialsFile) {
  testing::TempDir dir("pw-auth-daemon");
  auto credentials = dir.write_file("credentials", "alice\n" + kPlainPassword + "\n");
  std::filesystem::permissions(
      credentials, std::filesystem::perms::owner_read | std::filesystem::perms::others_read);
  auto yaml = dir.write_file(
      "proxywatch.yaml", "metrics_listen: 127.0.0.1:" + std::to_string(testing::pick_free_port()) +
                             "\ncredentials_file: " + credentials.string() + "\n");
  auto run = testing::run_process(
      {PROXYWATCH_BINARY, "daemon", "--config", yaml.string(), "--log-target", "stderr"}, {},
      std::chrono::seconds(10));
  EXPECT_NE(run.exit_code.value_or(0), 0);
  EXPECT_NE(run.err.find("readable by group or others"), std::string::npos) << run.err;
  expect_no_secret(run.out + run.err);
}

}  // namespace
}  // namespace proxywatch
