// TLS inspection (an integration test of the probe stage: a real handshake with a local origin):
// what TlsObserver records of a handshake with a local origin (made with a CA
// of the test's own) — version, cipher, leaf subject, issuer and expiry when it verifies; the
// issuer and OpenSSL's reason when it does not, which is how an inspecting proxy shows.
#include "common/probe/tls_inspect.h"

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <filesystem>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "tests/support/test_pki.h"
#include "tests/support/tls_origin.h"

namespace proxywatch {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;

class TlsInspectTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ca_ = testing::shared_pki().ca;
    other_ca_ = testing::shared_pki().inspecting_ca;
    leaf_ = testing::shared_pki().origin;
    origin_ = std::make_unique<testing::TlsOrigin>(leaf_);
  }
  static void TearDownTestSuite() { origin_.reset(); }

  // A blocking handshake with the origin as `host`, trusting `ca_file`; what was recorded.
  static TlsInfo handshake(const std::string& host, const std::filesystem::path& ca_file) {
    asio::io_context io;
    ssl::context context(ssl::context::tls_client);
    context.load_verify_file(ca_file.string());
    context.set_verify_mode(ssl::verify_peer);
    ssl::stream<asio::ip::tcp::socket> stream(io, context);
    stream.next_layer().connect({asio::ip::address_v4::loopback(), origin_->port()});
    TlsInfo info;
    TlsObserver observer(stream.native_handle(), host, info);
    stream.set_verify_callback(observer.callback());
    boost::system::error_code ec;
    stream.handshake(ssl::stream_base::client, ec);
    observer.finish(ec);
    return info;
  }

  // The CA that issued the origin's certificate, and one that did not.
  static inline testing::CertificateAuthority ca_, other_ca_;
  static inline testing::LeafCertificate leaf_;
  static inline std::unique_ptr<testing::TlsOrigin> origin_;
};

TEST_F(TlsInspectTest, VerifiedHandshakeRecordsSessionAndLeaf) {
  TlsInfo info = handshake("origin.test", ca_.cert_file);
  EXPECT_EQ(info.verify_error, "");
  EXPECT_EQ(info.version, "TLSv1.3");
  EXPECT_FALSE(info.cipher.empty());
  EXPECT_EQ(info.subject, leaf_.subject);
  EXPECT_EQ(info.issuer, "CN=proxywatch test CA");
  ASSERT_TRUE(info.not_after);
  // make_leaf: valid for 30 days from an hour ago.
  double in_days = static_cast<double>(*info.not_after - std::time(nullptr)) / 86400.0;
  EXPECT_GT(in_days, 29.0);
  EXPECT_LT(in_days, 30.1);
}

TEST_F(TlsInspectTest, UnknownIssuerIsRecordedWithTheReason) {
  TlsInfo info = handshake("origin.test", other_ca_.cert_file);
  EXPECT_EQ(info.verify_error, "unable to get local issuer certificate");
  EXPECT_EQ(info.issuer, "CN=proxywatch test CA") << "the issuer that was presented";
  EXPECT_EQ(info.subject, leaf_.subject);
  EXPECT_EQ(info.version, "") << "no session after a failed handshake";
}

TEST_F(TlsInspectTest, NameMismatchFailsVerification) {
  TlsInfo info = handshake("tools.cisco.com", ca_.cert_file);
  EXPECT_EQ(info.verify_error, "hostname mismatch");
  EXPECT_EQ(info.version, "");
}

TEST_F(TlsInspectTest, IpLiteralIsVerifiedAgainstTheIpSan) {
  TlsInfo info = handshake("127.0.0.1", ca_.cert_file);
  EXPECT_EQ(info.verify_error, "");
  EXPECT_EQ(info.version, "TLSv1.3");
}

}  // namespace
}  // namespace proxywatch
