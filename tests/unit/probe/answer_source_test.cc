// Tests for common/probe/answer_source.h: whether an answer to a plain-HTTP request through a
// proxy is the proxy's own or the origin's, relayed.
#include "common/probe/answer_source.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace proxywatch {
namespace {

namespace http = boost::beast::http;

http::fields answer_headers(const std::vector<std::pair<std::string, std::string>>& lines) {
  http::fields fields;
  for (const auto& [name, value] : lines) fields.insert(name, value);
  return fields;
}

TEST(AnswerSourceTest, ProxyErrorPagesAreTheProxys) {
  EXPECT_TRUE(made_by_proxy(403, answer_headers({{"X-Squid-Error", "ERR_ACCESS_DENIED 0"}})));
  EXPECT_TRUE(made_by_proxy(407, answer_headers({{"Proxy-Authenticate", "Basic realm=x"}})));
  EXPECT_TRUE(made_by_proxy(500, answer_headers({{"Server", "tinyproxy/1.11.1"}})));
  EXPECT_TRUE(made_by_proxy(403, answer_headers({{"Server", "Squid"}})));
  // A product the proxy names in its Via: its own page.
  EXPECT_TRUE(made_by_proxy(
      403, answer_headers({{"Server", "WebGate/2.1"}, {"Via", "1.1 gw (WebGate/2.1)"}})));
  // A gateway's status without a Server.
  EXPECT_TRUE(made_by_proxy(502, answer_headers({})));
  EXPECT_TRUE(made_by_proxy(504, answer_headers({})));
}

TEST(AnswerSourceTest, RelayedAnswersAreTheOrigins) {
  EXPECT_FALSE(made_by_proxy(200, answer_headers({{"X-Squid-Error", "ERR_ACCESS_DENIED 0"}})));
  EXPECT_FALSE(
      made_by_proxy(404, answer_headers({{"Server", "nginx"}, {"Via", "1.1 proxy (squid/5.7)"}})));
  EXPECT_FALSE(made_by_proxy(403, answer_headers({})));
  EXPECT_FALSE(made_by_proxy(503, answer_headers({})));
  EXPECT_FALSE(made_by_proxy(502, answer_headers({{"Server", "cloudflare"}})));
  EXPECT_FALSE(made_by_proxy(404, answer_headers({{"Server", ""}})));
}

TEST(AnswerSourceTest, HugeHeadersAreLookedIntoOnlyInPart) {
  std::string via(10'000, 'v');  // under the probe's 16 KiB header limit
  via += " (WebGate/2.1)";
  EXPECT_FALSE(made_by_proxy(403, answer_headers({{"Server", "WebGate/2.1"}, {"Via", via}})));
}

}  // namespace
}  // namespace proxywatch
