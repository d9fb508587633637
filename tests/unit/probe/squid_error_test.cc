// squid's error pages in words (common/probe/squid_error.h) and the outcome an answer stands for
// once its X-Squid-Error is read (proxy_answer.h: outcome_for_proxy_answer).
#include "common/probe/squid_error.h"

#include <gtest/gtest.h>

#include "common/probe/proxy_answer.h"

namespace proxywatch {
namespace {

namespace http = boost::beast::http;

ProxyAnswer squid_answer_of(unsigned status, std::string_view squid_header) {
  http::fields headers;
  headers.set("X-Squid-Error", squid_header);
  return read_proxy_answer(status, "x", headers);
}

TEST(SquidErrorTest, ValueSplitsIntoPageNameAndNumber) {
  auto parsed = parse_squid_error("ERR_CONNECT_FAIL 111");
  EXPECT_EQ(parsed.code, "ERR_CONNECT_FAIL");
  EXPECT_EQ(parsed.detail, 111);
  EXPECT_EQ(parse_squid_error("ERR_DNS_FAIL 0").detail, 0);
  EXPECT_EQ(parse_squid_error("ERR_DNS_FAIL").code, "ERR_DNS_FAIL");
}

TEST(SquidErrorTest, WhatIsNotAPageNameIsNoCode) {
  // deny_info's redirect form, lower case, junk, an endless name, a negative number.
  EXPECT_EQ(parse_squid_error("403 Access Denied").code, "");
  EXPECT_EQ(parse_squid_error("err_dns_fail 0").code, "");
  EXPECT_EQ(parse_squid_error("ERR_\x1b[31m 0").code, "");
  EXPECT_EQ(parse_squid_error("ERR_" + std::string(100, 'A')).code, "");
  EXPECT_EQ(parse_squid_error("ERR_CONNECT_FAIL -5").detail, 0);
  EXPECT_EQ(parse_squid_error("ERR_CONNECT_FAIL 99999999999999999999").detail, 0);
}

TEST(SquidErrorTest, ConnectFailQuotesTheErrnoInWords) {
  EXPECT_EQ(squid_error_meaning("ERR_CONNECT_FAIL", 111),
            "its TCP connection to the destination failed: Connection refused (errno 111)");
  EXPECT_EQ(squid_error_meaning("ERR_CONNECT_FAIL", 110),
            "its TCP connection to the destination failed: Connection timed out (errno 110)");
  EXPECT_EQ(squid_error_meaning("ERR_CONNECT_FAIL", 0),
            "its TCP connection to the destination failed");
  // Not an errno: no text is made up for it.
  EXPECT_EQ(squid_error_meaning("ERR_CONNECT_FAIL", 70000),
            "its TCP connection to the destination failed");
}

TEST(SquidErrorTest, NumbersOfPagesWithoutErrnoAreNotQuoted) {
  EXPECT_EQ(squid_error_meaning("ERR_DNS_FAIL", 111), "it cannot resolve the destination's name");
}

TEST(SquidErrorTest, UnknownPageHasNoMeaning) {
  EXPECT_EQ(find_squid_error("ERR_SOMETHING_NEW"), nullptr);
  EXPECT_EQ(squid_error_meaning("ERR_SOMETHING_NEW", 0), "");
  EXPECT_EQ(find_squid_error(""), nullptr);
}

TEST(SquidErrorTest, EveryCommonPageHasWordsAndSomethingToCheck) {
  for (std::string_view code : {"ERR_DNS_FAIL",          "ERR_CONNECT_FAIL",
                                "ERR_ACCESS_DENIED",     "ERR_CACHE_ACCESS_DENIED",
                                "ERR_CANNOT_FORWARD",    "ERR_READ_TIMEOUT",
                                "ERR_GATEWAY_FAILURE",   "ERR_TOO_BIG",
                                "ERR_INVALID_REQ",       "ERR_INVALID_URL",
                                "ERR_UNSUP_REQ",         "ERR_ZERO_SIZE_OBJECT",
                                "ERR_READ_ERROR",        "ERR_WRITE_ERROR",
                                "ERR_SHUTTING_DOWN",     "ERR_SECURE_CONNECT_FAIL",
                                "ERR_LIFETIME_EXP",      "ERR_FORWARDING_DENIED",
                                "ERR_NO_RELAY",          "ERR_ONLY_IF_CACHED_MISS",
                                "ERR_ICAP_FAILURE",      "ERR_INVALID_RESP",
                                "ERR_UNSUP_HTTPVERSION", "ERR_CONFLICT_HOST",
                                "ERR_SOCKET_FAILURE",    "ERR_REQUEST_START_TIMEOUT"}) {
    const SquidError* row = find_squid_error(code);
    ASSERT_NE(row, nullptr) << code;
    EXPECT_FALSE(row->meaning.empty()) << code;
    EXPECT_FALSE(row->check.empty()) << code;
  }
}

TEST(SquidErrorTest, DestinationFailuresAreUpstreamNotOverload) {
  for (auto [status, header] : {std::pair{503u, "ERR_DNS_FAIL 0"},
                                {503u, "ERR_CONNECT_FAIL 111"},
                                {504u, "ERR_READ_TIMEOUT 0"},
                                {500u, "ERR_CANNOT_FORWARD 0"},
                                {502u, "ERR_GATEWAY_FAILURE 0"}}) {
    EXPECT_EQ(outcome_for_proxy_answer(squid_answer_of(status, header)),
              Outcome::kProxyUpstreamFailed)
        << header;
  }
}

TEST(SquidErrorTest, AccessDeniedIsDeniedWhateverTheStatus) {
  for (unsigned status : {403u, 302u, 500u, 503u}) {
    EXPECT_EQ(outcome_for_proxy_answer(squid_answer_of(status, "ERR_ACCESS_DENIED 0")),
              Outcome::kProxyDenied)
        << status;
  }
}

TEST(SquidErrorTest, TooBigIsAnErrorNotAnAclDenial) {
  EXPECT_EQ(outcome_for_proxy_answer(squid_answer_of(403, "ERR_TOO_BIG 0")), Outcome::kProxyError);
}

TEST(SquidErrorTest, StatusDecidesForUnknownPagesTunnelsAndAuthentication) {
  EXPECT_EQ(outcome_for_proxy_answer(squid_answer_of(503, "ERR_SOMETHING_NEW 0")),
            Outcome::kProxyUnavailable);
  EXPECT_EQ(outcome_for_proxy_answer(squid_answer_of(503, "ERR_SHUTTING_DOWN 0")),
            Outcome::kProxyUnavailable);
  EXPECT_EQ(outcome_for_proxy_answer(squid_answer_of(407, "ERR_CACHE_ACCESS_DENIED 0")),
            Outcome::kProxyAuthRequired);
  EXPECT_EQ(outcome_for_proxy_answer(squid_answer_of(200, "ERR_ACCESS_DENIED 0")), Outcome::kOk);
  EXPECT_EQ(outcome_for_proxy_answer(squid_answer_of(502, "")), Outcome::kProxyUpstreamFailed);
}

TEST(SquidErrorTest, AnswerKeepsThePageNameAndNumber) {
  auto answer = squid_answer_of(503, "ERR_CONNECT_FAIL 111");
  EXPECT_EQ(answer.squid_error, "ERR_CONNECT_FAIL");
  EXPECT_EQ(answer.squid_error_detail, 111);
}

}  // namespace
}  // namespace proxywatch
