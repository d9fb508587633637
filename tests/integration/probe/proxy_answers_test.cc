// The proxy's own answers to CONNECT, named for what they are: squid's error pages
// (X-Squid-Error) from scripted proxies and from a real squid, the page that comes with an
// error, and a page sent with a 200 instead of a tunnel. Each ends the probe in proxy_connect
// with its outcome and a sentence that says what the page means. Runs in-process on the
// test's own io_context.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/probe/probe.h"
#include "tests/support/fake_proxy.h"
#include "tests/support/probe_here.h"
#include "tests/support/squid.h"
#include "tests/support/test_pki.h"

namespace proxywatch {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using AnswersBehavior = testing::FakeProxy::Behavior;

constexpr std::string_view kAnswersSquidTitle = "ERROR: The requested URL could not be retrieved";

// A squid-like error page: the title first, as squid's templates have it, then filler.
std::string answers_squid_page(std::size_t filler = 2000) {
  return "<!DOCTYPE html>\n<html><head>\n<title>" + std::string(kAnswersSquidTitle) +
         "</title>\n</head><body>" + std::string(filler, 'x') + "</body></html>\n";
}

class ProxyAnswersTest : public ::testing::Test {
 protected:
  // Started on first use: ctest runs each test in a process of its own, and only three of
  // them need squid.
  static testing::Squid& squid() {
    if (!squid_) {
      squid_ = std::make_unique<testing::Squid>(testing::Squid::Options{
          .hosts = {{"origin.test", "127.0.0.1"}, {"blocked.test", "127.0.0.1"}},
          .denied_domains = {"blocked.test"}});
    }
    return *squid_;
  }
  static void TearDownTestSuite() { squid_.reset(); }

  static ProbeSpec spec_for(std::uint16_t proxy_port, HostPort target = {"origin.test", 443}) {
    ProbeSpec spec;
    spec.proxy = {"127.0.0.1", proxy_port};
    spec.target = std::move(target);
    spec.ca_file = testing::shared_pki().ca.cert_file.string();
    // Above squid's dns_timeout (3 s), so ERR_DNS_FAIL arrives within the phase.
    spec.timeouts.set_all_phases(10s);
    return spec;
  }

  // Runs `spec` to its end on an io_context of this thread, bounded by 30 s.
  ProbeResult probe(const ProbeSpec& spec) { return testing::probe_here(contexts_, spec); }

  ProbeResult probe_answer(std::string status_line, std::vector<std::string> headers,
                           std::string body) {
    testing::FakeProxy proxy({.behavior = AnswersBehavior::kStatus,
                              .status_line = std::move(status_line),
                              .extra_headers = std::move(headers),
                              .body = std::move(body)});
    return probe(spec_for(proxy.port()));
  }

  static inline std::unique_ptr<testing::Squid> squid_;
  TlsContexts contexts_;
};

void expect_answer(const ProbeResult& r, Outcome outcome, const std::vector<std::string>& words) {
  EXPECT_EQ(to_string(r.outcome), to_string(outcome)) << r.diagnosis;
  ASSERT_TRUE(r.phase.has_value()) << r.diagnosis;
  EXPECT_EQ(to_string(*r.phase), "proxy_connect");
  for (const std::string& word : words) {
    EXPECT_NE(r.diagnosis.find(word), std::string::npos) << word << " not in: " << r.diagnosis;
  }
}

struct AnswersRow {
  std::string status_line;
  std::string squid_error;
  Outcome outcome;
  std::vector<std::string> words;
};

TEST_F(ProxyAnswersTest, EachSquidPageIsNamedWithItsOutcome) {
  const std::vector<AnswersRow> rows = {
      {"HTTP/1.1 503 Service Unavailable",
       "ERR_DNS_FAIL 0",
       Outcome::kProxyUpstreamFailed,
       {"cannot resolve the destination's name", "dns_nameservers"}},
      {"HTTP/1.1 503 Service Unavailable",
       "ERR_CONNECT_FAIL 111",
       Outcome::kProxyUpstreamFailed,
       {"Connection refused (errno 111)"}},
      {"HTTP/1.1 403 Forbidden", "ERR_ACCESS_DENIED 0", Outcome::kProxyDenied, {"http_access"}},
      {"HTTP/1.1 403 Forbidden",
       "ERR_CACHE_ACCESS_DENIED 0",
       Outcome::kProxyDenied,
       {"authentication"}},
      {"HTTP/1.1 500 Internal Server Error",
       "ERR_CANNOT_FORWARD 0",
       Outcome::kProxyUpstreamFailed,
       {"no route", "did not resolve", "never_direct"}},
      {"HTTP/1.1 504 Gateway Timeout",
       "ERR_READ_TIMEOUT 0",
       Outcome::kProxyUpstreamFailed,
       {"stopped sending"}},
      {"HTTP/1.1 502 Bad Gateway",
       "ERR_GATEWAY_FAILURE 0",
       Outcome::kProxyUpstreamFailed,
       {"gateway"}},
      {"HTTP/1.1 403 Forbidden", "ERR_TOO_BIG 0", Outcome::kProxyError, {"size limits"}},
      {"HTTP/1.1 400 Bad Request", "ERR_INVALID_REQ 0", Outcome::kProxyError, {"invalid"}},
      {"HTTP/1.1 400 Bad Request", "ERR_INVALID_URL 0", Outcome::kProxyError, {"name or port"}},
      {"HTTP/1.1 501 Not Implemented", "ERR_UNSUP_REQ 0", Outcome::kProxyError, {"CONNECT"}},
      {"HTTP/1.1 502 Bad Gateway",
       "ERR_ZERO_SIZE_OBJECT 0",
       Outcome::kProxyUpstreamFailed,
       {"without an answer"}},
      {"HTTP/1.1 502 Bad Gateway",
       "ERR_READ_ERROR 104",
       Outcome::kProxyUpstreamFailed,
       {"Connection reset by peer (errno 104)"}},
      {"HTTP/1.1 502 Bad Gateway",
       "ERR_WRITE_ERROR 32",
       Outcome::kProxyUpstreamFailed,
       {"Broken pipe (errno 32)"}},
      {"HTTP/1.1 503 Service Unavailable",
       "ERR_SHUTTING_DOWN 0",
       Outcome::kProxyUnavailable,
       {"shutting down"}},
      {"HTTP/1.1 503 Service Unavailable",
       "ERR_SECURE_CONNECT_FAIL 0",
       Outcome::kProxyUpstreamFailed,
       {"TLS connection"}},
      {"HTTP/1.1 504 Gateway Timeout",
       "ERR_LIFETIME_EXP 0",
       Outcome::kProxyUpstreamFailed,
       {"client_lifetime"}},
      {"HTTP/1.1 403 Forbidden",
       "ERR_FORWARDING_DENIED 0",
       Outcome::kProxyUpstreamFailed,
       {"cache_peer"}},
      {"HTTP/1.1 501 Not Implemented", "ERR_NO_RELAY 0", Outcome::kProxyError, {"relay"}},
      {"HTTP/1.1 504 Gateway Timeout",
       "ERR_ONLY_IF_CACHED_MISS 0",
       Outcome::kProxyError,
       {"only-if-cached"}},
      {"HTTP/1.1 500 Internal Server Error", "ERR_ICAP_FAILURE 0", Outcome::kProxyError, {"ICAP"}},
      {"HTTP/1.1 502 Bad Gateway",
       "ERR_INVALID_RESP 0",
       Outcome::kProxyUpstreamFailed,
       {"not valid HTTP"}},
      {"HTTP/1.1 505 HTTP Version Not Supported",
       "ERR_UNSUP_HTTPVERSION 0",
       Outcome::kProxyError,
       {"HTTP version"}},
      {"HTTP/1.1 409 Conflict",
       "ERR_CONFLICT_HOST 0",
       Outcome::kProxyError,
       {"host_verify_strict"}},
      {"HTTP/1.1 500 Internal Server Error",
       "ERR_SOCKET_FAILURE 24",
       Outcome::kProxyError,
       {"Too many open files (errno 24)", "max_filedescriptors"}},
      {"HTTP/1.1 408 Request Time-out",
       "ERR_REQUEST_START_TIMEOUT 0",
       Outcome::kProxyError,
       {"did not start in time"}},
  };
  for (const AnswersRow& row : rows) {
    SCOPED_TRACE(row.squid_error);
    auto r = probe_answer(row.status_line,
                          {"X-Squid-Error: " + row.squid_error, "Content-Type: text/html"},
                          answers_squid_page());
    std::string code = row.squid_error.substr(0, row.squid_error.find(' '));
    std::vector<std::string> words = row.words;
    words.push_back(code);
    words.push_back("origin.test:443");
    expect_answer(r, row.outcome, words);
    EXPECT_EQ(r.squid_error, code);
    ASSERT_TRUE(r.answer_page.has_value());
    EXPECT_EQ(r.answer_page->title, kAnswersSquidTitle);
    EXPECT_EQ(r.answer_page->content_type, "text/html");
  }
}

TEST_F(ProxyAnswersTest, UnknownSquidPageIsQuotedAsItCameWithItsTitle) {
  auto r = probe_answer("HTTP/1.1 503 Service Unavailable",
                        {"X-Squid-Error: ERR_BRAND_NEW 7", "Content-Type: text/html"},
                        "<html><title>Try &amp; again</title></html>");
  expect_answer(r, Outcome::kProxyUnavailable,
                {"[X-Squid-Error: ERR_BRAND_NEW 7]", "page \"Try & again\"", "overloaded"});
}

TEST_F(ProxyAnswersTest, ErrorPageIsReadNoFurtherThan4KiB) {
  auto r = probe_answer("HTTP/1.1 502 Bad Gateway", {"Content-Type: text/html"},
                        std::string(100'000, ' ') + "<title>late</title>");
  expect_answer(r, Outcome::kProxyUpstreamFailed, {"502 Bad Gateway"});
  ASSERT_TRUE(r.answer_page.has_value());
  EXPECT_EQ(r.answer_page->bytes, 4096u);
  EXPECT_EQ(r.answer_page->title, "");
}

// The proxy's own answer to a plain-HTTP request is judged by the same table.
TEST_F(ProxyAnswersTest, SquidPageRefinesThePlainHttpAnswerToo) {
  testing::FakeProxy proxy(
      {.behavior = AnswersBehavior::kStatus,
       .status_line = "HTTP/1.1 503 Service Unavailable",
       .extra_headers = {"Server: squid/5.7", "X-Squid-Error: ERR_CONNECT_FAIL 111"}});
  ProbeSpec spec = spec_for(proxy.port(), {"origin.test", 80});
  spec.scheme = TargetScheme::kHttp;
  spec.request = HttpRequestSpec{"GET", "/feed.txt"};
  auto r = probe(spec);
  EXPECT_EQ(to_string(r.outcome), "proxy_upstream_failed") << r.diagnosis;
  ASSERT_TRUE(r.phase.has_value());
  EXPECT_EQ(to_string(*r.phase), "http_first_byte");
  EXPECT_NE(r.diagnosis.find("Connection refused (errno 111)"), std::string::npos) << r.diagnosis;
}

TEST_F(ProxyAnswersTest, AccessDeniedUnderARedirectPassesANegativeProbe) {
  testing::FakeProxy proxy(
      {.behavior = AnswersBehavior::kStatus,
       .status_line = "HTTP/1.1 302 Found",
       .extra_headers = {"X-Squid-Error: ERR_ACCESS_DENIED 0", "Location: http://block.example/"}});
  ProbeSpec spec = spec_for(proxy.port());
  spec.expect_denied = true;
  auto r = probe(spec);
  EXPECT_EQ(to_string(r.outcome), "ok") << r.diagnosis;
  EXPECT_EQ(r.connect_status, 302u);
}

TEST_F(ProxyAnswersTest, PageWithA200IsNoTunnel) {
  auto r = probe_answer("HTTP/1.1 200 OK", {"Content-Type: text/html; charset=utf-8"},
                        "<html><head><title>Web Page Blocked</title></head><body>Access to "
                        "this site is blocked by policy.</body></html>");
  expect_answer(r, Outcome::kProxyProtocolError,
                {"origin.test:443", "200 OK", "text/html; charset=utf-8",
                 "title \"Web Page Blocked\"", "instead of opening the tunnel", "captive portal"});
  EXPECT_EQ(r.connect_status, 200u);
}

TEST_F(ProxyAnswersTest, PageWithA200FailsANegativeProbeWithoutPassingIt) {
  testing::FakeProxy proxy({.behavior = AnswersBehavior::kStatus,
                            .status_line = "HTTP/1.1 200 OK",
                            .extra_headers = {"Content-Type: text/html"},
                            .body = "<title>Portal</title>"});
  ProbeSpec spec = spec_for(proxy.port());
  spec.expect_denied = true;
  expect_answer(probe(spec), Outcome::kProxyProtocolError, {"title \"Portal\""});
}

TEST_F(ProxyAnswersTest, EmptyLengthWithA200IsStillATunnel) {
  // "Content-Length: 0" on a 200 (FakeProxy adds it) is tolerated: the tunnel is tried, and
  // fails only when the proxy closes it.
  auto r = probe_answer("HTTP/1.1 200 Connection established", {}, "");
  ASSERT_TRUE(r.phase.has_value());
  EXPECT_EQ(to_string(*r.phase), "tls_handshake") << r.diagnosis;
  EXPECT_FALSE(r.answer_page.has_value());
}

// Squid 5.7 answers a CONNECT to a name it cannot resolve with 500 ERR_CANNOT_FORWARD, not
// ERR_DNS_FAIL (squid bug 5294, fixed in 6.4): either page is the destination failing, and the
// sentence points at the proxy's DNS.
TEST_F(ProxyAnswersTest, SquidDnsFailureIsUpstreamFailedNotOverload) {
  auto r = probe(spec_for(squid().port(), {"missing.test", 443}));
  expect_answer(r, Outcome::kProxyUpstreamFailed,
                {"missing.test:443", r.squid_error, "resolve", "dns_nameservers"});
  EXPECT_TRUE(r.squid_error == "ERR_DNS_FAIL" || r.squid_error == "ERR_CANNOT_FORWARD")
      << r.squid_error;
  EXPECT_EQ(r.diagnosis.find("overloaded"), std::string::npos);
  ASSERT_TRUE(r.answer_page.has_value());
  EXPECT_EQ(r.answer_page->title, kAnswersSquidTitle);
  EXPECT_EQ(r.answer_page->content_type, "text/html;charset=utf-8");
}

TEST_F(ProxyAnswersTest, SquidClosedPortIsConnectFailWithTheErrno) {
  auto r = probe(spec_for(squid().port(), {"origin.test", 1}));
  expect_answer(r, Outcome::kProxyUpstreamFailed,
                {"origin.test:1", "ERR_CONNECT_FAIL", "Connection refused (errno 111)"});
  EXPECT_EQ(r.squid_error_detail, 111);
}

TEST_F(ProxyAnswersTest, SquidAclDenyNamesHttpAccess) {
  auto r = probe(spec_for(squid().port(), {"blocked.test", 443}));
  expect_answer(r, Outcome::kProxyDenied, {"blocked.test:443", "ERR_ACCESS_DENIED", "http_access"});
  EXPECT_EQ(r.connect_status, 403u);
}

}  // namespace
}  // namespace proxywatch
