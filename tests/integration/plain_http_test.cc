// Plain-HTTP targets through `proxywatch check --json --target http://…`: the absolute-form
// request the FMC's feed downloads send, through real squid (ACLs that treat CONNECT and GET
// apart) and scripted proxies, to a plain-HTTP origin on loopback. Each test asserts the
// outcome, the phase and who answered (the proxy's own refusal or the origin's answer).
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "tests/support/fake_proxy.h"
#include "tests/support/http_origin.h"
#include "tests/support/process.h"
#include "tests/support/squid.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_origin.h"

namespace proxywatch {
namespace {

namespace json = boost::json;
using testing::FakeProxy;

struct PlainRun {
  int exit_code = -1;
  json::object result;
  std::string out, err;

  std::string str(std::string_view key) const {
    const json::value* v = result.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  }
  std::int64_t num(std::string_view key) const {
    const json::value* v = result.if_contains(key);
    return v && v->is_number() ? v->to_number<std::int64_t>() : -1;
  }
};

// One plain-HTTP origin and one TLS origin for the suite, and three squids, each started on first
// use (ctest runs every test in a process of its own, and most need one squid or none): one
// with an ACL denying blocked.test, one that lets CONNECT through and refuses every plain
// request (`http_access deny !CONNECT`), one the reverse.
class PlainHttpTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    http_origin_ = std::make_unique<testing::HttpOrigin>();
    tls_origin_ = std::make_unique<testing::TlsOrigin>();
  }
  static void TearDownTestSuite() {
    squid_.reset();
    connect_only_.reset();
    get_only_.reset();
    http_origin_.reset();
    tls_origin_.reset();
  }

  static testing::Squid& start_once(std::unique_ptr<testing::Squid>& squid,
                                    std::vector<std::string> denied,
                                    std::vector<std::string> http_access) {
    if (!squid) {
      squid = std::make_unique<testing::Squid>(
          testing::Squid::Options{.hosts = {{"feeds.test", "127.0.0.1"},
                                            {"origin.test", "127.0.0.1"},
                                            {"blocked.test", "127.0.0.1"}},
                                  .denied_domains = std::move(denied),
                                  .extra_http_access = std::move(http_access)});
    }
    return *squid;
  }
  static testing::Squid& squid() { return start_once(squid_, {"blocked.test"}, {}); }
  static testing::Squid& connect_only() {
    return start_once(connect_only_, {}, {"http_access deny !CONNECT"});
  }
  static testing::Squid& get_only() {
    return start_once(get_only_, {}, {"http_access deny CONNECT"});
  }

  static std::string local(std::uint16_t port) { return "127.0.0.1:" + std::to_string(port); }
  static std::string url(std::string_view path, std::string_view host = "feeds.test") {
    return "http://" + std::string(host) + ":" + std::to_string(http_origin_->port()) +
           std::string(path);
  }

  // `proxywatch check --json` through `proxy` to `target`, short deadlines, plus `extra`.
  static PlainRun check(std::uint16_t proxy, const std::string& target,
                        std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {
        PROXYWATCH_BINARY, "check", "--json",  "--proxy", local(proxy), "--target", target,
        "--timeout",       "3",     "--stall", "1"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto process = testing::run_process(argv, {}, std::chrono::seconds(30));
    PlainRun run{.exit_code = process.exit_code.value_or(-1),
                 .result = {},
                 .out = process.out,
                 .err = process.err};
    boost::system::error_code ec;
    json::value parsed = json::parse(run.out, ec);
    if (!ec && parsed.is_object()) run.result = parsed.as_object();
    return run;
  }

  static void expect_outcome(const PlainRun& run, std::string_view outcome,
                             std::string_view phase) {
    EXPECT_EQ(run.str("outcome"), outcome) << run.out << run.err;
    EXPECT_EQ(run.str("phase"), phase) << run.out;
    EXPECT_EQ(run.exit_code, outcome == "ok" ? 0 : 1);
  }

  static bool says(const PlainRun& run, std::string_view words) {
    return run.str("diagnosis").find(words) != std::string::npos;
  }

  static inline std::unique_ptr<testing::HttpOrigin> http_origin_;
  static inline std::unique_ptr<testing::TlsOrigin> tls_origin_;
  static inline std::unique_ptr<testing::Squid> squid_, connect_only_, get_only_;
};

TEST_F(PlainHttpTest, GetThroughSquidSendsTheAbsoluteFormAndCountsTheBody) {
  auto run = check(squid().port(), url("/bytes/20000"));
  expect_outcome(run, "ok", "");
  EXPECT_EQ(run.num("http_status"), 200);
  EXPECT_EQ(run.num("bytes"), 20000);
  EXPECT_EQ(run.str("target"), url("/bytes/20000"));
  const auto& phases = run.result.at("phases_us").as_object();
  EXPECT_TRUE(phases.contains("http_first_byte"));
  EXPECT_TRUE(phases.contains("transfer"));
  EXPECT_FALSE(phases.contains("proxy_connect"));
  EXPECT_FALSE(phases.contains("tls_handshake"));
  EXPECT_TRUE(says(run, "The proxy forwarded GET " + url("/bytes/20000"))) << run.out;
  // Squid made an origin-form request of it, as a proxy must (RFC 9112 §3.2.1).
  auto lines = http_origin_->request_lines();
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back(), "GET /bytes/20000 HTTP/1.1");
}

TEST_F(PlainHttpTest, HeadSendsNoBodyAndMaxBytesStopsEarly) {
  auto head = check(squid().port(), url("/bytes/5000"), {"--method", "HEAD"});
  expect_outcome(head, "ok", "");
  EXPECT_EQ(head.num("bytes"), 0);
  EXPECT_EQ(http_origin_->request_lines().back(), "HEAD /bytes/5000 HTTP/1.1");
  auto capped = check(squid().port(), url("/bytes/900000"), {"--max-bytes", "10000"});
  expect_outcome(capped, "ok", "");
  EXPECT_GE(capped.num("bytes"), 10000);
  EXPECT_LT(capped.num("bytes"), 900000);
}

TEST_F(PlainHttpTest, OriginAnswersAreTheOriginsNotTheProxys) {
  auto redirect = check(squid().port(), url("/"));
  expect_outcome(redirect, "ok", "");
  EXPECT_EQ(redirect.num("http_status"), 302);
  EXPECT_EQ(redirect.str("location"), "https://www.cisco.com/");
  auto missing = check(squid().port(), url("/nothing"));
  expect_outcome(missing, "http_error", "transfer");
  EXPECT_EQ(missing.num("http_status"), 404);
  EXPECT_EQ(missing.num("connect_status"), -1) << "a relayed 404 is not the proxy's answer";
  EXPECT_TRUE(says(missing, "relayed by the proxy, not its own refusal")) << missing.out;
  // The origin's own 403 and 503 are relayed answers too, not an ACL or an overloaded proxy.
  expect_outcome(check(squid().port(), url("/status/403")), "http_error", "transfer");
  expect_outcome(check(squid().port(), url("/status/503")), "http_error", "transfer");
}

TEST_F(PlainHttpTest, CutAndSilentDownloadsAreNamedAsForTheTunnel) {
  auto cut = check(squid().port(), url("/cut/200000"));
  expect_outcome(cut, "http_incomplete", "transfer");
  auto silent = check(squid().port(), url("/silent/200000"));
  expect_outcome(silent, "http_stalled", "transfer");
  EXPECT_TRUE(says(silent, "went silent")) << silent.out;
}

TEST_F(PlainHttpTest, SquidDenyingPlainGetIsTheProxysRefusal) {
  auto get = check(connect_only().port(), url("/bytes/10"));
  expect_outcome(get, "proxy_denied", "http_first_byte");
  EXPECT_EQ(get.num("connect_status"), 403);
  EXPECT_NE(get.str("error_source").find("ERR_ACCESS_DENIED"), std::string::npos) << get.out;
  EXPECT_TRUE(says(get, "refused to forward GET")) << get.out;
  // The same squid lets the tunnel through.
  auto tunnel = check(connect_only().port(), "origin.test:" + std::to_string(tls_origin_->port()),
                      {"--ca-file", testing::shared_pki().ca.cert_file.string()});
  expect_outcome(tunnel, "ok", "");
}

TEST_F(PlainHttpTest, SquidDenyingConnectStillForwardsPlainGet) {
  expect_outcome(check(get_only().port(), url("/bytes/10")), "ok", "");
  auto tunnel = check(get_only().port(), "origin.test:" + std::to_string(tls_origin_->port()),
                      {"--ca-file", testing::shared_pki().ca.cert_file.string()});
  expect_outcome(tunnel, "proxy_denied", "proxy_connect");
}

TEST_F(PlainHttpTest, NegativeProbePassesOnTheProxysDenyAndFailsWhenForwarded) {
  auto denied = check(squid().port(), url("/bytes/10", "blocked.test"), {"--expect-denied"});
  expect_outcome(denied, "ok", "");
  EXPECT_TRUE(says(denied, "as its ACL should")) << denied.out;
  auto forwarded = check(squid().port(), url("/bytes/10"), {"--expect-denied"});
  expect_outcome(forwarded, "tunnel_not_denied", "http_first_byte");
  EXPECT_TRUE(says(forwarded, "no longer enforced for plain HTTP")) << forwarded.out;
}

TEST_F(PlainHttpTest, ScriptedProxyAnswersAreAttributedByTheirHeaders) {
  struct Case {
    std::string status_line;
    std::vector<std::string> headers;
    std::string outcome;
  };
  const std::vector<Case> cases = {
      // squid's own page, and an unknown proxy naming itself in Server and Via.
      {"HTTP/1.1 403 Forbidden",
       {"Server: squid/5.7", "X-Squid-Error: ERR_ACCESS_DENIED 0"},
       "proxy_denied"},
      {"HTTP/1.1 403 Forbidden",
       {"Server: WebGate/2.1", "Via: 1.1 gw (WebGate/2.1)"},
       "proxy_denied"},
      {"HTTP/1.1 500 Unable to connect", {"Server: tinyproxy/1.11.1"}, "proxy_upstream_failed"},
      // No Server: a 502 comes from a gateway, a 403 from the origin.
      {"HTTP/1.1 502 Bad Gateway", {}, "proxy_upstream_failed"},
      {"HTTP/1.1 403 Forbidden", {}, "http_error"},
      // The origin's 403 relayed: its own Server, the proxy's Via.
      {"HTTP/1.1 403 Forbidden", {"Server: nginx", "Via: 1.1 proxy (squid/5.7)"}, "http_error"},
      // A captive portal's redirect of the proxy's own making.
      {"HTTP/1.1 302 Found",
       {"Server: squid/5.7", "Location: http://portal.example/login"},
       "proxy_error"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.status_line + " " + ::testing::PrintToString(c.headers));
    FakeProxy proxy({.behavior = FakeProxy::Behavior::kStatus,
                     .status_line = c.status_line,
                     .extra_headers = c.headers,
                     .body = "<html><title>x</title></html>"});
    auto run = check(proxy.port(), "http://feeds.test/si.txt");
    EXPECT_EQ(run.str("outcome"), c.outcome) << run.out;
    ASSERT_FALSE(proxy.requests().empty());
    EXPECT_EQ(proxy.requests()[0].rfind("GET http://feeds.test/si.txt HTTP/1.1\r\n", 0), 0u)
        << proxy.requests()[0];
    EXPECT_NE(proxy.requests()[0].find("\r\nHost: feeds.test\r\n"), std::string::npos);
  }
  FakeProxy portal(
      {.behavior = FakeProxy::Behavior::kStatus,
       .status_line = "HTTP/1.1 302 Found",
       .extra_headers = {"Server: squid/5.7", "Location: http://portal.example/login"}});
  auto run = check(portal.port(), "http://feeds.test/si.txt");
  EXPECT_TRUE(says(run, "Location: http://portal.example/login")) << run.out;
}

TEST_F(PlainHttpTest, ProxyThatStallsOrClosesIsNamedWithTheRequest) {
  FakeProxy silent({.behavior = FakeProxy::Behavior::kNeverAnswer});
  auto stalled = check(silent.port(), "http://feeds.test/si.txt");
  expect_outcome(stalled, "proxy_stalled", "http_first_byte");
  EXPECT_TRUE(says(stalled, "did not answer GET http://feeds.test/si.txt within 3 s"))
      << stalled.out;
  FakeProxy closing({.behavior = FakeProxy::Behavior::kCloseBeforeAnswer});
  auto closed = check(closing.port(), "http://feeds.test/si.txt");
  expect_outcome(closed, "proxy_closed", "http_first_byte");
}

TEST_F(PlainHttpTest, BadTargetUrlsAreUsageErrorsThatSayHowToWriteThem) {
  struct Case {
    std::string target;
    std::string words;
  };
  const std::vector<Case> cases = {
      {"ftp://feeds.test/x", "is not a scheme proxywatch probes"},
      {"https://feeds.test/path", "has no path here"},
      {"http://feeds.test/a#frag", "fragment"},
      {"http://feeds.test/a b", "percent-encode"},
      {"http:///nohost", "missing host"},
      {"http://feeds.test:0/", "not a number from 1 to 65535"},
      {"http://user:s3cret-pw@feeds.test/", "must not carry a user name or password"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.target);
    auto run = testing::run_process(
        {PROXYWATCH_BINARY, "check", "--proxy", "127.0.0.1:9", "--target", c.target});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.err.find(c.words), std::string::npos) << run.err;
    EXPECT_EQ(run.err.find("s3cret-pw"), std::string::npos) << "the password was echoed";
  }
  auto mtu = testing::run_process({PROXYWATCH_BINARY, "check", "--proxy", "127.0.0.1:9", "--target",
                                   "http://feeds.test/", "--mtu"});
  EXPECT_EQ(mtu.exit_code, 2);
  EXPECT_NE(mtu.err.find("--mtu compares TLS handshakes"), std::string::npos) << mtu.err;
}

}  // namespace
}  // namespace proxywatch
