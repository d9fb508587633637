// parse_tunnel_answer: the head of an HTTP answer found in raw bytes (a block page or a captive
// portal's redirect in the tunnel), cut to printable, bounded text; anything else is no answer.
#include "common/probe/tunnel_answer.h"

#include <gtest/gtest.h>

#include <string>

namespace proxywatch {
namespace {

TEST(TunnelAnswerTest, BlockPageGivesStatusReasonAndServer) {
  auto a = parse_tunnel_answer(
      "HTTP/1.1 403 Forbidden\r\nServer: FortiGate\r\nContent-Length: 5\r\n\r\nblock");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->version, 11u);
  EXPECT_EQ(a->status, 403u);
  EXPECT_EQ(a->reason, "Forbidden");
  EXPECT_EQ(a->server, "FortiGate");
  EXPECT_EQ(a->location, "");
}

TEST(TunnelAnswerTest, RedirectGivesItsLocation) {
  auto a = parse_tunnel_answer(
      "HTTP/1.0 302 Found\r\nLocation: http://portal.example/login?u=1\r\n\r\n");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->version, 10u);
  EXPECT_EQ(a->status, 302u);
  EXPECT_EQ(a->location, "http://portal.example/login?u=1");
}

TEST(TunnelAnswerTest, HeadCutShortIsReadToItsLastCompleteLine) {
  auto a = parse_tunnel_answer("HTTP/1.1 302 Found\r\nLocation: http://p/\r\nX-Cut: hal");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->status, 302u);
  EXPECT_EQ(a->location, "http://p/");
  EXPECT_FALSE(parse_tunnel_answer("HTTP/1.1 302 Fo")) << "not even a status line";
}

TEST(TunnelAnswerTest, HostileBytesAreKeptPrintableAndBounded) {
  std::string location(3000, 'x');
  // Bytes over 0x7f are obs-text, which HTTP allows in a value (RFC 9110 §5.5); control bytes
  // make Beast refuse the head.
  auto a = parse_tunnel_answer("HTTP/1.1 302 Found\r\nLocation: http://a/\xff" + location +
                               "\r\nServer: a\xfe" + "b\r\n\r\n");
  ASSERT_TRUE(a);
  EXPECT_LE(a->location.size(), 200u);
  EXPECT_EQ(a->location.find('\xff'), std::string::npos);
  EXPECT_EQ(a->server.find('\xfe'), std::string::npos);
  EXPECT_FALSE(parse_tunnel_answer("HTTP/1.1 302 Found\r\nServer: a\x01b\r\n\r\n"));
}

TEST(TunnelAnswerTest, WhatIsNotAnHttpAnswerIsNone) {
  EXPECT_FALSE(parse_tunnel_answer(std::string("\x16\x03\x03\x00\x7a", 5)));
  EXPECT_FALSE(parse_tunnel_answer("GET / HTTP/1.1\r\n\r\n"));
  EXPECT_FALSE(parse_tunnel_answer("HTTP/9 nonsense\r\n\r\n"));
  EXPECT_FALSE(parse_tunnel_answer(""));
  EXPECT_TRUE(starts_http_answer("HTTP/"));
  EXPECT_FALSE(starts_http_answer("HTTP"));
}

}  // namespace
}  // namespace proxywatch
