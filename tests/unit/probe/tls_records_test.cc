// TLS records below OpenSSL: which bytes start a record, and the ClientHello a client context
// makes for a socket of our own (the check of a proxy port that speaks TLS).
#include "common/probe/tls_records.h"

#include <gtest/gtest.h>

#include <string>

#include <boost/asio/ssl/context.hpp>

namespace proxywatch {
namespace {

TEST(TlsRecordsTest, RecordHeadersAreTlsAndTheRestIsNot) {
  EXPECT_TRUE(is_tls_record_header(std::string("\x16\x03\x01\x02\x00", 5)));  // handshake
  EXPECT_TRUE(is_tls_record_header(std::string("\x15\x03\x03\x00\x02", 5)));  // alert
  EXPECT_TRUE(is_tls_record_header(std::string("\x17\x03\x03", 3)));
  EXPECT_FALSE(is_tls_record_header("HTTP/1.1 200 OK"));
  EXPECT_FALSE(is_tls_record_header(std::string("\x16\x03", 2))) << "too short to tell";
  EXPECT_FALSE(is_tls_record_header(std::string("\x13\x03\x03", 3))) << "no such type";
  EXPECT_FALSE(is_tls_record_header(std::string("\x16\x02\x00", 3))) << "SSL 2";
  EXPECT_FALSE(is_tls_record_header(std::string("\x16\x03\x05", 3)));
}

TEST(TlsRecordsTest, ClientHelloIsAHandshakeRecordCarryingTheSni) {
  boost::asio::ssl::context context(boost::asio::ssl::context::tls_client);
  std::string hello = client_hello_bytes(context.native_handle(), "tools.cisco.com");
  ASSERT_GE(hello.size(), 50u);
  EXPECT_TRUE(is_tls_record_header(hello));
  EXPECT_EQ(hello[0], '\x16');
  EXPECT_EQ(hello[5], '\x01') << "handshake type client_hello";
  EXPECT_NE(hello.find("tools.cisco.com"), std::string::npos);
  std::string by_address = client_hello_bytes(context.native_handle(), "192.0.2.1");
  EXPECT_TRUE(is_tls_record_header(by_address));
  EXPECT_EQ(by_address.find("192.0.2.1"), std::string::npos) << "no SNI for an address";
}

}  // namespace
}  // namespace proxywatch
