// The payload reader names what each in-order segment carries: request and status lines, TLS
// records across segment boundaries, a real ClientHello's SNI, alerts; and stops following
// records it cannot see.
#include "common/capture/payload_reader.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <memory>

#include "common/probe/tls_records.h"

namespace proxywatch {
namespace {

using capture::PayloadReader;

std::string tls_record(char type, const std::string& body) {
  return std::string{type, '\x03', '\x03', static_cast<char>(body.size() >> 8),
                     static_cast<char>(body.size() & 0xff)} +
         body;
}

TEST(PayloadReaderTest, RequestAndStatusLines) {
  PayloadReader out;
  EXPECT_EQ(out.describe("CONNECT a.test:443 HTTP/1.1\r\nHost: a\r\n\r\n", 40),
            "CONNECT a.test:443");
  PayloadReader auth;
  EXPECT_EQ(auth.describe("GET http://f.test/x HTTP/1.1\r\nProxy-Authorization: xxxx\r\n\r\n", 60),
            "GET http://f.test/x with Proxy-Authorization (masked)");
  PayloadReader in;
  EXPECT_EQ(in.describe("HTTP/1.1 407 Proxy Authentication Required\r\n", 44),
            "HTTP/1.1 407 Proxy Authentication Required");
  EXPECT_EQ(in.describe("<html>body</html>", 17), "");
}

TEST(PayloadReaderTest, RecordsAreFollowedAcrossSegments) {
  PayloadReader in;
  std::string hello = std::string{'\x02', 0, 0, 10} + std::string(10, 's');
  std::string flight = tls_record(22, hello) + tls_record(20, "\x01") +
                       tls_record(23, std::string(3000, 'a')) + tls_record(21, "\x02\x28");
  // Cut inside the third record's body and inside the alert's header.
  EXPECT_EQ(in.describe(flight.substr(0, 1000), 1000),
            "TLS ServerHello (14 bytes), ChangeCipherSpec, application data (3000 bytes)");
  EXPECT_EQ(in.describe(flight.substr(1000, 2027), 2027), "");
  EXPECT_EQ(in.describe(flight.substr(3027), static_cast<std::uint32_t>(flight.size() - 3027)),
            "TLS fatal alert 40");
  EXPECT_TRUE(in.tls());
}

TEST(PayloadReaderTest, RealClientHelloShowsItsSni) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                        SSL_CTX_free);
  std::string hello = client_hello_bytes(ctx.get(), "fmc.example");
  ASSERT_GT(hello.size(), 5u);
  PayloadReader out;
  std::string what = out.describe(hello, static_cast<std::uint32_t>(hello.size()));
  EXPECT_EQ(what,
            "TLS ClientHello (" + std::to_string(hello.size() - 5) + " bytes, SNI fmc.example)");
}

TEST(PayloadReaderTest, UncapturedOrForeignBytesStopTheRecords) {
  PayloadReader cut;
  // A record's header lies beyond what was captured: nothing more is claimed.
  EXPECT_EQ(cut.describe(tls_record(23, std::string(10, 'a')), 200),
            "TLS application data (10 bytes)");
  EXPECT_EQ(cut.describe("", 100), "");
  PayloadReader foreign;
  EXPECT_EQ(foreign.describe(tls_record(23, "ab") + "GARBAGE!", 15),
            "TLS application data (2 bytes), not TLS");
}

}  // namespace
}  // namespace proxywatch
