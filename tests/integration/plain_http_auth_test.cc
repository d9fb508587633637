// Proxy authentication for plain-HTTP targets (`check --target http://…`): the absolute-form
// GET answered with Basic by real squid and tinyproxy, with Digest by real squid (the `uri` is
// the absolute URI), and refused as for CONNECT. The fixture (proxy_auth_fixture.h) searches
// every output for the suite's passwords.
#include "tests/integration/proxy_auth_fixture.h"
#include "tests/support/http_origin.h"
#include "tests/support/tinyproxy.h"

namespace proxywatch {
namespace {

class PlainHttpAuthTest : public ProxyAuthTest {
 protected:
  static void SetUpTestSuite() {
    ProxyAuthTest::SetUpTestSuite();
    http_origin_ = std::make_unique<testing::HttpOrigin>();
  }
  static void TearDownTestSuite() {
    http_origin_.reset();
    ProxyAuthTest::TearDownTestSuite();
  }
  static std::string feed_url(std::string_view host = "origin.test") {
    return "http://" + std::string(host) + ":" + std::to_string(http_origin_->port()) +
           "/bytes/5000";
  }
  static inline std::unique_ptr<testing::HttpOrigin> http_origin_;
};

TEST_F(PlainHttpAuthTest, SquidBasicAnswersTheAbsoluteFormGet) {
  auto run = check_url(squid_basic().port(), feed_url(), {"--proxy-user", "carol"}, kPlainPassword);
  expect(run, "ok");
  EXPECT_EQ(run.auth("scheme"), "Basic");
  EXPECT_EQ(run.result.at("bytes").to_number<std::int64_t>(), 5000);
  EXPECT_EQ(run.str("scheme"), "http");
  expect(check_url(squid_basic().port(), feed_url(), {"--proxy-user", "carol"}, "wrong-password"),
         "proxy_auth_failed");
  auto missing = check_url(squid_basic().port(), feed_url(), {});
  expect(missing, "proxy_auth_required");
  EXPECT_EQ(missing.str("phase"), "http_first_byte");
}

TEST_F(PlainHttpAuthTest, SquidDigestTakesTheAbsoluteUriAsUri) {
  auto run = check_url(squid_digest().port(), feed_url(), {"--proxy-user", "bob"}, kUtf8Password);
  expect(run, "ok");
  EXPECT_EQ(run.auth("scheme"), "Digest MD5");
  expect(check_url(squid_digest().port(), feed_url(), {"--proxy-user", "carol"}, "wrong-password"),
         "proxy_auth_failed");
  // Basic-only is refused with --refuse-basic for a GET as for a CONNECT.
  expect(check_url(squid_basic().port(), feed_url(), {"--proxy-user", "carol", "--refuse-basic"},
                   kPlainPassword),
         "proxy_auth_insecure");
}

TEST_F(PlainHttpAuthTest, TinyproxyBasicAnswersTheAbsoluteFormGet) {
  testing::Tinyproxy tiny({.basic_auth_user = "tiny", .basic_auth_password = "tiny.pass-1"});
  // Tinyproxy resolves names with the system resolver: the URL's host is an IP literal.
  const std::string url = feed_url("127.0.0.1");
  auto run = check_url(tiny.port(), url, {"--proxy-user", "tiny"}, "tiny.pass-1");
  expect(run, "ok");
  EXPECT_EQ(run.result.at("http_status").to_number<std::int64_t>(), 200);
  expect(check_url(tiny.port(), url, {"--proxy-user", "tiny"}, "wrong-password"),
         "proxy_auth_failed");
  expect(check_url(tiny.port(), url, {}), "proxy_auth_required");
}

}  // namespace
}  // namespace proxywatch
