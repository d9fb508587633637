// BasicAuth: Authorization headers decoded as RFC 7617 says, bcrypt hashes made by Apache's
// htpasswd (`htpasswd -nbB -C 4`) verified through libcrypt, wrong users and passwords refused.
#include "common/output/web/basic_auth.h"

#include <algorithm>
#include <chrono>

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

TEST(BasicAuthTest, CachedDecidesOnlyWhatNeedsNoBcrypt) {
  BasicAuth auth({{"prometheus", kHash}});
  EXPECT_EQ(auth.cached("Bearer abc"), false);
  EXPECT_EQ(auth.cached(kRight), std::nullopt);  // not yet verified
  EXPECT_EQ(auth.cached(kWrong), std::nullopt);
  EXPECT_EQ(auth.cached(kStranger), std::nullopt) << "an unknown user looks like a wrong password";
  EXPECT_TRUE(auth.check(kRight));
  EXPECT_EQ(auth.cached(kRight), true);
  EXPECT_EQ(auth.cached(kWrong), std::nullopt);
}

// The seconds `auth.check(header)` takes, the least of `runs`.
double basic_auth_seconds(BasicAuth& auth, const std::string& header, int runs) {
  double least = 1e9;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(auth.check(header));
    least = std::min(
        least, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return least;
}

// A user-name oracle would answer an unknown user at once and a known one after a bcrypt. The
// hash is made here at cost 8 (about 4 ms), so that the bcrypt stands out from the rest.
TEST(BasicAuthTest, AnUnknownUserCostsAsMuchAsAWrongPassword) {
  const std::string hash = bcrypt_hash("right", 8);
  ASSERT_TRUE(hash.starts_with("$2y$08$")) << hash.size();
  ASSERT_TRUE(crypt_matches("right", hash));
  BasicAuth auth({{"prometheus", hash}});
  const double wrong = basic_auth_seconds(auth, kWrong, 3);
  const double stranger = basic_auth_seconds(auth, kStranger, 3);
  EXPECT_GT(stranger, wrong / 2) << "unknown user " << stranger << " s, wrong password " << wrong;
}

}  // namespace
}  // namespace proxywatch
