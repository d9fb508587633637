// HttpQuery: the query parameters handlers see, decoded, from either form of request-target.
#include <gtest/gtest.h>

#include "common/output/web/http_server.h"

namespace proxywatch {
namespace {

TEST(HttpQueryTest, ParametersArePercentDecodedInTheirOrder) {
  HttpQuery query("/history?target=proxy%20check&range=7d&flag");
  EXPECT_EQ(query.get("target"), "proxy check");
  EXPECT_EQ(query.get("range"), "7d");
  EXPECT_EQ(query.get("flag"), "");
  EXPECT_EQ(query.get("missing"), std::nullopt);
  ASSERT_EQ(query.params().size(), 3u);
  EXPECT_EQ(query.params()[1].first, "range");
}

TEST(HttpQueryTest, AbsoluteFormAndRepeatedNamesGiveTheFirstValue) {
  HttpQuery query("http://127.0.0.1:9/x?range=1d&range=30d");
  EXPECT_EQ(query.get("range"), "1d");
}

TEST(HttpQueryTest, ThePathIsKeptAsSentWithoutTheQuery) {
  EXPECT_EQ(HttpQuery("/captures/a.pcap?x=1").path(), "/captures/a.pcap");
  EXPECT_EQ(HttpQuery("http://127.0.0.1:9/captures/%2e%2e/b").path(), "/captures/%2e%2e/b");
  EXPECT_EQ(HttpQuery("").path(), "");
}

TEST(HttpQueryTest, NoQueryOrOneThatDoesNotParseIsEmpty) {
  EXPECT_TRUE(HttpQuery("/metrics").params().empty());
  EXPECT_TRUE(HttpQuery("/x?a=%zz").params().empty());
  EXPECT_TRUE(HttpQuery("").params().empty());
}

}  // namespace
}  // namespace proxywatch
