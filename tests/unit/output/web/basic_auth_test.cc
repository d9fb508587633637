// BasicAuth: Authorization headers decoded as RFC 7617 says, bcrypt hashes made by Apache's
// htpasswd (`htpasswd -nbB -C 4`) verified through libcrypt, wrong users and passwords refused.
#include "common/output/web/basic_auth.h"

#include <gtest/gtest.h>

namespace proxywatch {
namespace {

// htpasswd -nbB -C 4 prometheus 'se cret:pw€'
const std::string kHash = "$2y$04$qsVDvvlPi27qffvaeHvFXuL3H9dKy2zk7yW03uirvC6py00NxvPM2";
// base64("prometheus:se cret:pw€"), base64("prometheus:wrong"), base64("nobody:se cret:pw€")
const std::string kRight = "Basic cHJvbWV0aGV1czpzZSBjcmV0OnB34oKs";
const std::string kWrong = "Basic cHJvbWV0aGV1czp3cm9uZw==";
const std::string kStranger = "Basic bm9ib2R5OnNlIGNyZXQ6cHfigqw=";

TEST(BasicAuthTest, ParsesUserAndPasswordWithColonsAndUtf8) {
  auto credentials = parse_basic_authorization(kRight);
  ASSERT_TRUE(credentials);
  EXPECT_EQ(credentials->first, "prometheus");
  EXPECT_EQ(credentials->second, "se cret:pw€");
  // The scheme name is case-insensitive; padding is not counted as bytes.
  credentials = parse_basic_authorization("basic cHJvbWV0aGV1czp3cm9uZw==");
  ASSERT_TRUE(credentials);
  EXPECT_EQ(credentials->second, "wrong");
}

TEST(BasicAuthTest, RejectsOtherSchemesAndMalformedTokens) {
  EXPECT_FALSE(parse_basic_authorization(""));
  EXPECT_FALSE(parse_basic_authorization("Bearer abc"));
  EXPECT_FALSE(parse_basic_authorization("Basic"));
  EXPECT_FALSE(parse_basic_authorization("Basic !!!!"));
  EXPECT_FALSE(parse_basic_authorization("Basic bm9jb2xvbg=="));  // "nocolon"
}

TEST(BasicAuthTest, CryptMatchesHtpasswdBcrypt) {
  EXPECT_TRUE(crypt_matches("se cret:pw€", kHash));
  EXPECT_FALSE(crypt_matches("se cret:pw", kHash));
  EXPECT_FALSE(crypt_matches("se cret:pw€", "not a hash"));
}

TEST(BasicAuthTest, AcceptsTheRightPasswordOnlyAndRemembersIt) {
  BasicAuth auth({{"prometheus", kHash}});
  EXPECT_TRUE(auth.check(kRight));
  EXPECT_TRUE(auth.check(kRight));  // from the remembered digest
  EXPECT_FALSE(auth.check(kWrong));
  EXPECT_FALSE(auth.check(kStranger));
  EXPECT_FALSE(auth.check(""));
  EXPECT_TRUE(auth.check(kRight));
}

}  // namespace
}  // namespace proxywatch
