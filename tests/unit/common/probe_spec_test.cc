// Parsing of host:port and request texts.
#include "common/probe_spec.h"

#include <gtest/gtest.h>

namespace proxywatch {
namespace {

TEST(HostPortTest, NameAndPort) {
  auto hp = parse_host_port("proxy.example.com:3128", std::nullopt);
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "proxy.example.com");
  EXPECT_EQ(hp->port, 3128);
}

TEST(HostPortTest, DefaultPortWhenAbsent) {
  auto hp = parse_host_port("tools.cisco.com", 443);
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->to_string(), "tools.cisco.com:443");
}

TEST(HostPortTest, MissingPortWithoutDefaultIsError) {
  auto hp = parse_host_port("10.10.10.1", std::nullopt);
  ASSERT_FALSE(hp);
  EXPECT_NE(hp.error().to_string().find("missing port"), std::string::npos);
}

TEST(HostPortTest, BracketedIpv6) {
  auto hp = parse_host_port("[2001:db8::1]:8080", std::nullopt);
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "2001:db8::1");
  EXPECT_EQ(hp->port, 8080);
  EXPECT_EQ(hp->to_string(), "[2001:db8::1]:8080");
}

TEST(HostPortTest, BareIpv6TakesDefaultPort) {
  auto hp = parse_host_port("::1", 443);
  ASSERT_TRUE(hp);
  EXPECT_EQ(hp->host, "::1");
}

TEST(HostPortTest, Ipv6WithPortButNoBracketsShowsTheBracketedForm) {
  // "::1:3161" is itself an IPv6 address: without brackets the port would vanish into it.
  for (std::optional<std::uint16_t> default_port : {std::optional<std::uint16_t>(), {443}}) {
    auto hp = parse_host_port("::1:3161", default_port);
    ASSERT_FALSE(hp);
    EXPECT_NE(
        hp.error().to_string().find("write an IPv6 address with a port in brackets: [::1]:3161"),
        std::string::npos)
        << hp.error();
  }
  auto hp = parse_host_port("2001:db8::1:8080", std::nullopt);
  ASSERT_FALSE(hp);
  EXPECT_NE(hp.error().to_string().find("[2001:db8::1]:8080"), std::string::npos) << hp.error();
}

TEST(HostPortTest, BareIpv6WhereAPortIsRequiredAsksForBrackets) {
  auto hp = parse_host_port("fe80::1", std::nullopt);
  ASSERT_FALSE(hp);
  EXPECT_NE(hp.error().to_string().find("in brackets: [fe80::1]:PORT"), std::string::npos)
      << hp.error();
}

TEST(HostPortTest, BareIpv6EndingInAHexGroupKeepsTheDefaultPort) {
  // "2001:db8::5" before its last colon is "2001:db8:", no address: nothing to mistake.
  auto hp = parse_host_port("2001:db8::5", 443);
  ASSERT_TRUE(hp) << hp.error();
  EXPECT_EQ(hp->to_string(), "[2001:db8::5]:443");
}

TEST(HostPortTest, PortOutOfRangeOrNotNumberIsError) {
  for (auto text : {"h:0", "h:65536", "h:http", "h:", "h:-1", "h:80x"}) {
    auto hp = parse_host_port(text, std::nullopt);
    ASSERT_FALSE(hp) << text;
    EXPECT_NE(hp.error().to_string().find("1 to 65535"), std::string::npos) << hp.error();
  }
}

TEST(HostPortTest, MalformedTextsAreErrors) {
  for (auto text : {":80", "[::1", "[::1]x", "[nothost]:80", "1:2:3:zz"}) {
    EXPECT_FALSE(parse_host_port(text, 443)) << text;
  }
}

TEST(IpLiteralTest, RecognisesAddressesNotNames) {
  EXPECT_TRUE(is_ip_literal("10.10.10.1"));
  EXPECT_TRUE(is_ip_literal("::1"));
  EXPECT_FALSE(is_ip_literal("tools.cisco.com"));
  EXPECT_FALSE(is_ip_literal("10.10.10"));
}

TEST(RequestTest, HeadAndGet) {
  auto head = parse_request("HEAD /");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->method, "HEAD");
  EXPECT_EQ(head->path, "/");
  auto get = parse_request("GET /files/x?y=1");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->path, "/files/x?y=1");
}

TEST(RequestTest, OtherMethodsAndBadPathsAreErrors) {
  EXPECT_FALSE(parse_request("POST /"));
  EXPECT_FALSE(parse_request("get /"));
  EXPECT_FALSE(parse_request("HEAD"));
  EXPECT_FALSE(parse_request("HEAD relative"));
  EXPECT_FALSE(parse_request("GET / extra"));
  // Sent as it is in the request line: control bytes and bytes outside ASCII are refused.
  for (std::string path : {"/a\x01b", "/a\x1b[2Jb", "/caf\xc3\xa9", "/del\x7f"}) {
    auto bad = parse_request("GET " + path);
    ASSERT_FALSE(bad) << path;
    EXPECT_NE(bad.error().message.find("percent-encode it"), std::string::npos);
    EXPECT_EQ(bad.error().message.find('\x1b'), std::string::npos) << "quoted, not raw";
  }
}

}  // namespace
}  // namespace proxywatch
