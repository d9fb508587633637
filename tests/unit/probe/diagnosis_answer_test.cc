// The sentences for the proxy's own answers (diagnosis.cc): squid's error page in words with
// what to check for it, an unknown page quoted as it came, the title of a page, and a page sent
// with a 200 instead of a tunnel.
#include "common/probe/diagnosis.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace proxywatch {
namespace {

ProbeSpec answer_spec() {
  ProbeSpec spec;
  spec.proxy = {"proxy.example", 3128};
  spec.target = {"tools.cisco.com", 443};
  return spec;
}

ProbeResult answer_result(Outcome outcome, unsigned status, std::string reason,
                          std::string squid_error = "", int detail = 0) {
  ProbeResult r;
  r.outcome = outcome;
  r.phase = Phase::kProxyConnect;
  r.connect_status = status;
  r.connect_reason = std::move(reason);
  r.squid_error = std::move(squid_error);
  r.squid_error_detail = detail;
  if (!r.squid_error.empty()) {
    r.error_source = "X-Squid-Error: " + r.squid_error + " " + std::to_string(detail);
  }
  return r;
}

void expect_sentence(const ProbeResult& r, const std::vector<std::string>& facts,
                     const std::vector<std::string>& absent = {}) {
  std::string sentence = diagnose(r, answer_spec());
  for (const std::string& fact : facts) EXPECT_NE(sentence.find(fact), std::string::npos) << fact;
  for (const std::string& word : absent) {
    EXPECT_EQ(sentence.find(word), std::string::npos) << word << " in: " << sentence;
  }
  EXPECT_EQ(sentence.back(), '.') << sentence;
  EXPECT_EQ(sentence.find(". "), std::string::npos) << "one sentence: " << sentence;
}

TEST(DiagnosisAnswerTest, DnsFailIsTheProxysDnsNotOverload) {
  expect_sentence(
      answer_result(Outcome::kProxyUpstreamFailed, 503, "Service Unavailable", "ERR_DNS_FAIL"),
      {"could not reach tools.cisco.com:443", "503 Service Unavailable", "ERR_DNS_FAIL",
       "cannot resolve the destination's name", "dns_nameservers"},
      {"overloaded"});
}

TEST(DiagnosisAnswerTest, ConnectFailNamesTheErrno) {
  expect_sentence(
      answer_result(Outcome::kProxyUpstreamFailed, 503, "Service Unavailable", "ERR_CONNECT_FAIL",
                    111),
      {"tools.cisco.com:443", "ERR_CONNECT_FAIL", "Connection refused (errno 111)", "firewall"});
}

TEST(DiagnosisAnswerTest, AccessDeniedNamesHttpAccess) {
  expect_sentence(
      answer_result(Outcome::kProxyDenied, 403, "Forbidden", "ERR_ACCESS_DENIED"),
      {"refused the tunnel to tools.cisco.com:443", "403 Forbidden", "http_access", "ACL"});
}

TEST(DiagnosisAnswerTest, CacheAccessDeniedIsAboutAuthentication) {
  expect_sentence(answer_result(Outcome::kProxyDenied, 403, "Forbidden", "ERR_CACHE_ACCESS_DENIED"),
                  {"ERR_CACHE_ACCESS_DENIED", "authentication", "password"});
}

TEST(DiagnosisAnswerTest, TooBigNamesTheSizeLimits) {
  expect_sentence(
      answer_result(Outcome::kProxyError, 403, "Forbidden", "ERR_TOO_BIG"),
      {"CONNECT tools.cisco.com:443", "ERR_TOO_BIG", "size limits", "reply_body_max_size"});
}

TEST(DiagnosisAnswerTest, ShuttingDownIsUnavailable) {
  expect_sentence(
      answer_result(Outcome::kProxyUnavailable, 503, "Service Unavailable", "ERR_SHUTTING_DOWN"),
      {"tools.cisco.com:443", "shutting down", "restarted"});
}

TEST(DiagnosisAnswerTest, UnknownSquidPageIsQuotedAsItCame) {
  auto r = answer_result(Outcome::kProxyUnavailable, 503, "Service Unavailable");
  r.squid_error = "ERR_SOMETHING_NEW";
  r.error_source = "X-Squid-Error: ERR_SOMETHING_NEW 0; Server: squid/7.1";
  expect_sentence(r, {"503 Service Unavailable",
                      "[X-Squid-Error: ERR_SOMETHING_NEW 0; Server: "
                      "squid/7.1]",
                      "overloaded"});
}

TEST(DiagnosisAnswerTest, PageTitleIsQuotedWhenNoSquidPageExplainsIt) {
  auto r = answer_result(Outcome::kProxyUpstreamFailed, 502, "Bad Gateway");
  r.answer_page = AnswerPage{.content_type = "text/html", .title = "Upstream down", .bytes = 900};
  expect_sentence(r, {"502 Bad Gateway", "page \"Upstream down\"", "check"});
}

TEST(DiagnosisAnswerTest, PageInsteadOfTunnelSaysBlockPageOrPortal) {
  auto r = answer_result(Outcome::kProxyProtocolError, 200, "OK");
  r.answer_page =
      AnswerPage{.content_type = "text/html", .title = "Web Page Blocked", .bytes = 1234};
  expect_sentence(
      r, {"CONNECT tools.cisco.com:443", "200 OK", "text/html", "title \"Web Page Blocked\"",
          "1234 bytes", "instead of opening the tunnel", "captive portal"});
}

TEST(DiagnosisAnswerTest, BytesBeforeTheHandshakeWithoutAPageStayProtocolError) {
  auto r = answer_result(Outcome::kProxyProtocolError, 200, "Connection established");
  r.error = "5 bytes arrived before the TLS handshake";
  expect_sentence(r, {"not valid HTTP", "5 bytes arrived"});
}

}  // namespace
}  // namespace proxywatch
