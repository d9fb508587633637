// The fixture of the proxy authentication tests (auth_scenarios_test.cc: `proxywatch check`
// against real and scripted proxies; auth_daemon_test.cc: the daemon with a credentials
// file): the shared TLS origin, squids with basic_ncsa_auth, digest_file_auth or both (started
// on first use), password files for three users, and `check --json` runs whose output is
// searched for every password of the suite.
#pragma once

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/auth_proxy.h"
#include "tests/support/process.h"
#include "tests/support/read_file.h"
#include "tests/support/squid.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_origin.h"

namespace proxywatch {

namespace json = boost::json;
using testing::AuthProxy;

// Every printable ASCII special character, a space among them.
inline const std::string kSpecialPassword = R"(p !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~w)";
inline const std::string kUtf8Password = "pässwörd-€-密码";
inline const std::string kPlainPassword = "carol-password-1";

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
    ca_file_ = testing::shared_pki().ca.cert_file.string();
    origin_ = std::make_unique<testing::TlsOrigin>();
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
    return run_check(argv, password);
  }

  // `proxywatch check --json` for the plain-HTTP target `url` through `proxy`, as check().
  static CheckRun check_url(std::uint16_t proxy, const std::string& url,
                            std::vector<std::string> extra, const std::string& password = "") {
    std::vector<std::string> argv = {
        PROXYWATCH_BINARY, "check", "--json",    "--proxy", local(proxy),
        "--target",        url,     "--timeout", "3"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_check(argv, password);
  }

  // Runs `argv` with the password, when given, in PROXYWATCH_PROXY_PASSWORD.
  static CheckRun run_check(const std::vector<std::string>& argv, const std::string& password) {
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

  // The capture `check --capture` wrote: tcpdump reads it, it shows the masked header, and no
  // byte of it is `password` or the base64 of "user:password" (what Basic sends).
  static void expect_clean_capture(const std::filesystem::path& pcap, const std::string& user,
                                   const std::string& password) {
    std::string bytes = testing::read_file(pcap);
    ASSERT_FALSE(bytes.empty()) << pcap;
    std::string plain = user + ":" + password;
    std::string base64(4 * ((plain.size() + 2) / 3) + 1, '\0');
    base64.resize(static_cast<std::size_t>(EVP_EncodeBlock(
        reinterpret_cast<unsigned char*>(base64.data()),
        reinterpret_cast<const unsigned char*>(plain.data()), static_cast<int>(plain.size()))));
    EXPECT_EQ(bytes.find(password), std::string::npos) << "the password is in the capture";
    EXPECT_EQ(bytes.find(base64), std::string::npos) << "its base64 is in the capture";
    auto tcpdump = testing::run_process({"tcpdump", "-nn", "-A", "-r", pcap.string()});
    EXPECT_EQ(tcpdump.exit_code, 0) << tcpdump.err;
    EXPECT_NE(tcpdump.out.find("Proxy-Authorization: xxxx"), std::string::npos) << tcpdump.out;
    expect_no_secret(tcpdump.out);
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

}  // namespace proxywatch
