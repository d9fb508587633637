// HostAllowList: the Host header values a listener answers (against DNS rebinding), with the
// host's interface addresses faked so that the test does not depend on the machine.
#include "common/output/web/host_allow_list.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace proxywatch {
namespace {

asio::ip::address host_allow_test_ip(const char* text) {
  return asio::ip::make_address(text);
}

// A host with one LAN address of each family, counting how often it was asked.
struct HostAllowFakeInterfaces {
  int asked = 0;
  HostAllowList::AddressSource source() {
    return [this] {
      ++asked;
      return std::vector<asio::ip::address>{host_allow_test_ip("192.0.2.7"),
                                            host_allow_test_ip("2001:db8::7")};
    };
  }
};

TEST(HostAllowListTest, HostHeaderValuesAreNormalized) {
  EXPECT_EQ(normalized_host("FMC.Example.COM."), "fmc.example.com");
  EXPECT_EQ(normalized_host("fmc.example.com:39555"), "fmc.example.com");
  EXPECT_EQ(normalized_host("[::1]:39555"), "::1");
  EXPECT_EQ(normalized_host("[FE80::1%25eth0]"), "fe80::1");
  EXPECT_EQ(normalized_host("127.0.0.1:"), "127.0.0.1");
  for (const char* bad : {"", ":39555", "[::1", "[::1]x", "[nothost]", "a b", "a:b", "::1",
                          "x.example:80:80", "a/b", "."}) {
    EXPECT_EQ(normalized_host(bad), std::nullopt) << bad;
  }
}

TEST(HostAllowListTest, LoopbackListenerAnswersItsAddressesAndLocalhostOnly) {
  HostAllowFakeInterfaces interfaces;
  HostAllowList list(host_allow_test_ip("127.0.0.1"), {}, interfaces.source());
  for (const char* ok : {"127.0.0.1:39555", "127.0.0.1", "127.1.2.3:8080", "[::1]:8080",
                         "localhost:8080", "LOCALHOST.", "grafana.localhost"}) {
    EXPECT_TRUE(list.allows(ok)) << ok;
  }
  // What a DNS-rebinding page sends, with or without the forwarded port.
  for (const char* refused : {"attacker.example", "attacker.example:39555", "localhost.example",
                              "192.0.2.7", "", "127.0.0.1 ", "localhost@evil"}) {
    EXPECT_FALSE(list.allows(refused)) << refused;
  }
  EXPECT_EQ(interfaces.asked, 0) << "a listener on one address never asks for the interfaces";
}

TEST(HostAllowListTest, WildcardListenerAnswersEveryInterfaceAddressAndConfiguredNames) {
  HostAllowFakeInterfaces interfaces;
  HostAllowList list(host_allow_test_ip("::"), {"FMC.corp.example.", "[2001:db8::99]", "10.1.1.1"},
                     interfaces.source());
  for (const char* ok :
       {"192.0.2.7:39555", "[2001:db8::7]:39555", "fmc.corp.example:39555", "fmc.CORP.example.",
        "[2001:db8::99]", "10.1.1.1", "localhost", "[::ffff:192.0.2.7]"}) {
    EXPECT_TRUE(list.allows(ok)) << ok;
  }
  for (const char* refused : {"192.0.2.8", "corp.example", "attacker.example", "fmc"}) {
    EXPECT_FALSE(list.allows(refused)) << refused;
  }
  EXPECT_GT(interfaces.asked, 0);
}

TEST(HostAllowListTest, SpecificAddressAndStar) {
  HostAllowList lan(host_allow_test_ip("192.0.2.10"), {}, nullptr);
  EXPECT_TRUE(lan.allows("192.0.2.10:39555"));
  EXPECT_FALSE(lan.allows("192.0.2.11:39555"));
  HostAllowList any(host_allow_test_ip("127.0.0.1"), {"*"}, nullptr);
  EXPECT_TRUE(any.allows("attacker.example"));
}

TEST(HostAllowListTest, TheHostsInterfacesIncludeLoopback) {
  bool loopback = false;
  for (const auto& address : host_interface_addresses()) loopback |= address.is_loopback();
  EXPECT_TRUE(loopback);
}

}  // namespace
}  // namespace proxywatch
