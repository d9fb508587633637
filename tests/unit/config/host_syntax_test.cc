// parse_host: the one host syntax of the FMC proxy file and the YAML targets. IPv4 and IPv6
// literals (brackets dropped), DNS names with '_' allowed and one trailing dot; every refusal
// phrased to follow the quoted text, naming the character, the label or the limit.
#include "config/host_syntax.h"

#include <gtest/gtest.h>

#include <string>

namespace proxywatch::config {
namespace {

// The host parse_host returns for `text`, or "error: <reason>".
std::string host_of(std::string_view text) {
  auto host = parse_host(text);
  return host ? *host : "error: " + host.error().message;
}

TEST(HostSyntaxTest, IpLiteralsAreHosts) {
  EXPECT_EQ(host_of("10.10.10.1"), "10.10.10.1");
  EXPECT_EQ(host_of("::1"), "::1");
  EXPECT_EQ(host_of("2001:db8::8a2e:370:7334"), "2001:db8::8a2e:370:7334");
}

TEST(HostSyntaxTest, BracketedIpv6LosesItsBrackets) {
  EXPECT_EQ(host_of("[2001:db8::1]"), "2001:db8::1");
  EXPECT_EQ(host_of("[::1]"), "::1");
}

TEST(HostSyntaxTest, DnsNamesAreHostsAsWritten) {
  EXPECT_EQ(host_of("proxy.example.com"), "proxy.example.com");
  EXPECT_EQ(host_of("Proxy-1.Example.COM"), "Proxy-1.Example.COM");
  EXPECT_EQ(host_of("localhost"), "localhost");
  EXPECT_EQ(host_of("tools.cisco.com."), "tools.cisco.com.") << "one trailing dot is allowed";
  EXPECT_EQ(host_of("squid_internal.corp"), "squid_internal.corp") << "'_' as getaddrinfo takes it";
  EXPECT_EQ(host_of("123abc.example"), "123abc.example");
  EXPECT_EQ(host_of("host.1a"), "host.1a") << "a last label with a letter is a name";
}

TEST(HostSyntaxTest, EmptyTextIsRefused) {
  EXPECT_EQ(host_of(""), "error: is empty");
}

TEST(HostSyntaxTest, UrlIsRefusedWithWhatToGiveInstead) {
  EXPECT_EQ(host_of("http://proxy.example.com"),
            "error: is a URL; give only the host name or address");
}

TEST(HostSyntaxTest, PortIsRefusedWithWhatToGiveInstead) {
  EXPECT_EQ(host_of("proxy.example.com:8080"), "error: contains a port; give the host alone");
  EXPECT_EQ(host_of("10.10.10.1:80"), "error: contains a port; give the host alone");
}

TEST(HostSyntaxTest, BadBracketsAndIpv6AreRefused) {
  EXPECT_EQ(host_of("[::1"), "error: has '[' without a closing ']'");
  EXPECT_EQ(host_of("[::1]:80"), "error: has text after ']'");
  EXPECT_EQ(host_of("[10.10.10.1]"), "error: is not a valid IPv6 address");
  EXPECT_EQ(host_of("[proxy]"), "error: is not a valid IPv6 address");
  EXPECT_EQ(host_of("2001:db8::g"), "error: is not a valid IPv6 address");
  EXPECT_EQ(host_of("1:2:3"), "error: is not a valid IPv6 address");
}

TEST(HostSyntaxTest, InvalidCharacterIsNamedReadably) {
  EXPECT_EQ(host_of("proxy/80"), "error: contains invalid character '/'");
  EXPECT_EQ(host_of("my proxy"), "error: contains invalid character ' ' (space)");
  EXPECT_EQ(host_of("proxy\t"), "error: contains invalid character byte 0x09");
  EXPECT_EQ(host_of("pr\xc3\xb6xy"), "error: contains invalid character byte 0xc3");
  EXPECT_EQ(host_of("proxy\x7f"), "error: contains invalid character byte 0x7f");
}

TEST(HostSyntaxTest, BadLabelsAreRefused) {
  const std::string empty = "error: has an empty label (two dots in a row, or a leading dot)";
  EXPECT_EQ(host_of("proxy..example.com"), empty);
  EXPECT_EQ(host_of(".example.com"), empty);
  EXPECT_EQ(host_of("."), empty);
  EXPECT_EQ(host_of("example.com.."), empty) << "only one trailing dot";
  const std::string dash = "error: has a label that starts or ends with '-'";
  EXPECT_EQ(host_of("-proxy.example.com"), dash);
  EXPECT_EQ(host_of("proxy-.example.com"), dash);
}

TEST(HostSyntaxTest, LabelOf63IsAcceptedOf64Refused) {
  const std::string label63(63, 'a');
  EXPECT_EQ(host_of(label63 + ".com"), label63 + ".com");
  EXPECT_EQ(host_of(std::string(64, 'a') + ".com"), "error: has a label longer than 63 characters");
}

TEST(HostSyntaxTest, NameOf253IsAcceptedOf254Refused) {
  // 4 labels of 62 and one of 1: 4 * 63 + 1 = 253 characters.
  std::string name;
  for (char c : {'a', 'b', 'c', 'd'}) name += std::string(62, c) + ".";
  name += "e";
  ASSERT_EQ(name.size(), 253u);
  EXPECT_EQ(host_of(name), name);
  EXPECT_EQ(host_of(name + "."), name + ".") << "the trailing dot does not count";
  EXPECT_EQ(host_of(name + "e"), "error: is longer than 253 characters");
}

TEST(HostSyntaxTest, AllNumericLastLabelMeansAnIpv4AddressThatMustBeValid) {
  EXPECT_EQ(host_of("10.10.10.256"), "error: is not a valid IPv4 address");
  EXPECT_EQ(host_of("10.10.10"), "error: is not a valid IPv4 address");
  EXPECT_EQ(host_of("proxy.123"), "error: is not a valid IPv4 address");
  EXPECT_EQ(host_of("42"), "error: is not a valid IPv4 address");
}

}  // namespace
}  // namespace proxywatch::config
