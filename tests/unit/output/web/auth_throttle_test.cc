// AuthThrottle: ten wrong passwords free, then one per two seconds per client; other clients
// are not affected; the table stays bounded.
#include "common/output/web/auth_throttle.h"

#include <gtest/gtest.h>

namespace proxywatch {
namespace {

using namespace std::chrono_literals;
namespace ip = boost::asio::ip;

TEST(AuthThrottleTest, TenTriesThenOneEveryTwoSecondsPerClient) {
  AuthThrottle throttle;
  const auto start = AuthThrottle::Clock::time_point{} + 1h;
  const ip::address guesser = ip::make_address("192.0.2.7");
  const ip::address other = ip::make_address("2001:db8::1");
  for (int i = 0; i < kAuthBurst; ++i) {
    ASSERT_TRUE(throttle.allows(guesser, start)) << "try " << i;
    throttle.take(guesser, start);
  }
  std::chrono::seconds retry{0};
  EXPECT_FALSE(throttle.allows(guesser, start, &retry));
  EXPECT_EQ(retry, 2s);
  EXPECT_TRUE(throttle.allows(other, start)) << "another client is not throttled";
  EXPECT_FALSE(throttle.allows(guesser, start + 1s, &retry));
  EXPECT_EQ(retry, 1s);
  EXPECT_TRUE(throttle.allows(guesser, start + 2s)) << "one more try after 2 s";
  throttle.take(guesser, start + 2s);
  EXPECT_FALSE(throttle.allows(guesser, start + 3s));
  EXPECT_TRUE(throttle.allows(guesser, start + 2s + 20s)) << "refilled";
  // A right password gives its try back.
  for (int i = 0; i < kAuthBurst; ++i) throttle.take(other, start);
  throttle.give_back(other);
  EXPECT_TRUE(throttle.allows(other, start));
}

TEST(AuthThrottleTest, TheTableIsBoundedAndForgetsTheQuietestFirst) {
  AuthThrottle throttle;
  const auto start = AuthThrottle::Clock::time_point{} + 1h;
  auto address = [](std::size_t i) {
    return ip::address(ip::make_address_v4(static_cast<ip::address_v4::uint_type>(0x0a000000 + i)));
  };
  for (std::size_t i = 0; i < kAuthMaxClients + 10; ++i) {
    for (int k = 0; k < kAuthBurst; ++k)
      throttle.take(address(i), start + std::chrono::milliseconds(i));
  }
  EXPECT_EQ(throttle.clients(), kAuthMaxClients);
  EXPECT_TRUE(throttle.allows(address(0), start + 1s)) << "the longest-quiet client was forgotten";
  EXPECT_FALSE(throttle.allows(address(kAuthMaxClients + 9), start + 1s));
}

}  // namespace
}  // namespace proxywatch
