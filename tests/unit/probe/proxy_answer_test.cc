// Evidence read from a proxy's answer: who produced it and which schemes a 407 offers.
#include "common/probe/proxy_answer.h"

#include <gtest/gtest.h>

namespace proxywatch {
namespace {

namespace http = boost::beast::http;

TEST(ProxyAnswerTest, SquidDenyNamesItsSource) {
  http::fields headers;
  headers.set(http::field::server, "squid/5.7");
  headers.set("X-Squid-Error", "ERR_ACCESS_DENIED 0");
  headers.set(http::field::via, "1.1 proxy (squid/5.7)");
  auto answer = read_proxy_answer(403, "Forbidden", headers);
  EXPECT_EQ(answer.status, 403u);
  EXPECT_EQ(answer.reason, "Forbidden");
  EXPECT_EQ(answer.error_source,
            "X-Squid-Error: ERR_ACCESS_DENIED 0; Via: 1.1 proxy (squid/5.7); Server: squid/5.7");
}

TEST(ProxyAnswerTest, SchemesFromSeveralHeaders) {
  http::fields headers;
  headers.insert(http::field::proxy_authenticate, R"(Digest realm="r", nonce="n")");
  headers.insert(http::field::proxy_authenticate, R"(Basic realm="r")");
  auto answer = read_proxy_answer(407, "Proxy Authentication Required", headers);
  ASSERT_EQ(answer.challenges.size(), 2u);
  EXPECT_EQ(answer.challenges[0].scheme, "Digest");
  EXPECT_EQ(answer.challenges[1].scheme, "Basic");
}

TEST(ProxyAnswerTest, ControlCharactersFromThePeerAreReplaced) {
  http::fields headers;
  headers.set(http::field::server, "evil\x1b[31m");
  auto answer = read_proxy_answer(500, "bad\x7freason", headers);
  EXPECT_EQ(answer.reason, "bad?reason");
  EXPECT_EQ(answer.error_source, "Server: evil?[31m");
}

TEST(ProxyAnswerTest, ThousandsOfChallengeHeadersAreBounded) {
  http::fields headers;
  for (int i = 0; i < 1000; ++i) headers.insert(http::field::proxy_authenticate, "NTLM");
  auto answer = read_proxy_answer(407, "x", headers);
  EXPECT_LE(answer.challenges.size(), 16u);
}

}  // namespace
}  // namespace proxywatch
