// Answers named for what they are (issue 18), driven in-process by scripted peers on 127.0.0.1:
// an HTTP block page or captive portal inside the tunnel where the ServerHello belonged, a proxy
// port that speaks TLS, a tunnel closed right after the ClientHello, and origin certificates
// that expired or are not yet valid (from the test CA, and from a CA nobody trusts). Each ends
// with its outcome in its phase and a sentence that says what happened.
#include <gtest/gtest.h>

#include <openssl/x509_vfy.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <ctime>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/probe/probe.h"
#include "tests/support/fake_proxy.h"
#include "tests/support/probe_here.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_origin.h"

namespace proxywatch {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using NamedBehavior = testing::FakeProxy::Behavior;

class NamedAnswersTest : public ::testing::Test {
 protected:
  ProbeSpec spec_for(std::uint16_t proxy_port) const {
    ProbeSpec spec;
    spec.proxy = {"127.0.0.1", proxy_port};
    spec.target = {"origin.test", origin_.port()};
    spec.ca_file = testing::shared_pki().ca.cert_file.string();
    spec.timeouts.set_all_phases(5s);
    return spec;
  }

  // Runs `spec` to its end on an io_context of this thread, bounded by 30 s.
  ProbeResult probe(const ProbeSpec& spec) { return testing::probe_here(contexts_, spec); }

  ProbeResult probe_through(testing::FakeProxy::Options options) {
    testing::FakeProxy proxy(std::move(options));
    return probe(spec_for(proxy.port()));
  }

  // A probe through a relaying proxy to an origin serving `leaf`.
  ProbeResult probe_origin_with(const testing::LeafCertificate& leaf) {
    testing::TlsOrigin origin(leaf);
    testing::FakeProxy proxy({.behavior = NamedBehavior::kRelay, .upstream_port = origin.port()});
    return probe(spec_for(proxy.port()));
  }

  testing::TlsOrigin origin_;
  TlsContexts contexts_;
};

void expect_named(const ProbeResult& r, Outcome outcome, Phase phase,
                  const std::vector<std::string>& facts) {
  EXPECT_EQ(to_string(r.outcome), to_string(outcome)) << r.error << " / " << r.diagnosis;
  ASSERT_TRUE(r.phase.has_value());
  EXPECT_EQ(to_string(*r.phase), to_string(phase));
  for (const std::string& fact : facts) {
    EXPECT_NE(r.diagnosis.find(fact), std::string::npos) << "missing \"" << fact << "\" in\n"
                                                         << r.diagnosis;
  }
}

std::string utc_day(std::int64_t epoch) {
  auto t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &tm);
  return text;
}

bool has_code(const std::vector<int>& codes, int code) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

TEST_F(NamedAnswersTest, BlockPageInTheTunnelIsProxyDeniedInTheHandshake) {
  const ProbeResult r = probe_through({.behavior = NamedBehavior::kHttpOnClientHello,
                                       .status_line = "HTTP/1.1 403 Forbidden",
                                       .extra_headers = {"Server: BlockBox/2.1"},
                                       .body = "<html>blocked by policy</html>"});
  expect_named(r, Outcome::kProxyDenied, Phase::kTlsHandshake,
               {"\"HTTP/1.1 403 Forbidden\"", "[Server: BlockBox/2.1]", "ServerHello",
                "the proxy or a device in its path", "instead of the destination"});
  EXPECT_EQ(r.connect_status, 200u) << "the tunnel itself opened";
  ASSERT_TRUE(r.tunnel_answer);
  EXPECT_EQ(r.tunnel_answer->status, 403u);
}

TEST_F(NamedAnswersTest, CaptivePortalRedirectInTheTunnelIsProxyErrorWithItsLocation) {
  const ProbeResult r =
      probe_through({.behavior = NamedBehavior::kHttpOnClientHello,
                     .status_line = "HTTP/1.1 302 Found",
                     .extra_headers = {"Location: http://portal.example/login?from=origin.test"}});
  expect_named(r, Outcome::kProxyError, Phase::kTlsHandshake,
               {"\"HTTP/1.1 302 Found\"", "to http://portal.example/login?from=origin.test",
                "instead of the destination"});
}

TEST_F(NamedAnswersTest, AuthenticationDemandInTheTunnelIsProxyAuthRequired) {
  const ProbeResult r =
      probe_through({.behavior = NamedBehavior::kHttpOnClientHello,
                     .status_line = "HTTP/1.1 407 Proxy Authentication Required"});
  expect_named(r, Outcome::kProxyAuthRequired, Phase::kTlsHandshake,
               {"\"HTTP/1.1 407 Proxy Authentication Required\""});
}

TEST_F(NamedAnswersTest, CloseRightAfterTheClientHelloNamesSniFiltering) {
  const ProbeResult r = probe_through({.behavior = NamedBehavior::kCloseOnClientHello});
  expect_named(r, Outcome::kTlsFailed, Phase::kTlsHandshake,
               {"closed the tunnel", "with FIN right after our ClientHello for SNI origin.test",
                "without a ServerHello", "SNI-based filtering"});
  EXPECT_EQ(to_string(r.peer_close), "fin");
  EXPECT_EQ(r.tls.records_received.value_or(99), 0u);
}

TEST_F(NamedAnswersTest, TlsServerAsTheProxyIsAPortThatSpeaksTls) {
  // An OpenSSL server closes a plain CONNECT without a byte; the ClientHello that follows on a
  // new connection gets its ServerHello.
  const ProbeResult r = probe(spec_for(origin_.port()));
  expect_named(r, Outcome::kProxyProtocolError, Phase::kProxyConnect,
               {"speaks TLS", "an HTTPS proxy, or the wrong port", "plain HTTP"});
  EXPECT_TRUE(r.proxy_speaks_tls);
  EXPECT_LT(r.total, Seconds(4));
}

TEST_F(NamedAnswersTest, TlsAlertInAnswerToConnectIsAPortThatSpeaksTls) {
  // level fatal (2), protocol_version (70): what some TLS servers send to a plain CONNECT.
  const ProbeResult r =
      probe_through({.behavior = NamedBehavior::kGarbageStatus,
                     .status_line = std::string("\x15\x03\x03\x00\x02\x02\x46", 7)});
  expect_named(r, Outcome::kProxyProtocolError, Phase::kProxyConnect, {"speaks TLS"});
  EXPECT_TRUE(r.proxy_speaks_tls);
}

TEST_F(NamedAnswersTest, PlainCloseBeforeAnswerStaysProxyClosed) {
  // The follow-up ClientHello gets no TLS record from a plain HTTP proxy: bounded, then closed.
  const ProbeResult r = probe_through({.behavior = NamedBehavior::kCloseBeforeAnswer});
  expect_named(r, Outcome::kProxyClosed, Phase::kProxyConnect, {"before answering CONNECT"});
  EXPECT_FALSE(r.proxy_speaks_tls);
  EXPECT_LT(r.total, Seconds(4));
}

TEST_F(NamedAnswersTest, ExpiredCertificateOfTheTrustedCaSaysWhen) {
  const ProbeResult r = probe_origin_with(testing::shared_pki().expired_origin);
  ASSERT_TRUE(r.tls.not_after);
  ASSERT_TRUE(r.tls.not_before);
  expect_named(
      r, Outcome::kTlsVerifyFailed, Phase::kTlsHandshake,
      {"certificate of origin.test:", "expired on " + utc_day(*r.tls.not_after) + " (UTC)"});
  EXPECT_EQ(r.tls.verify_code, X509_V_ERR_CERT_HAS_EXPIRED);
  EXPECT_EQ(r.tls.chain_errors, std::vector<int>{X509_V_ERR_CERT_HAS_EXPIRED});
  EXPECT_EQ(r.tls.date_fault, CertDateFault::kExpired);
  // make_leaf: valid from 40 days ago until 10 days ago.
  EXPECT_NEAR(static_cast<double>(std::time(nullptr) - *r.tls.not_after) / 86400, 10, 0.1);
  EXPECT_LT(*r.tls.not_before, *r.tls.not_after);
}

TEST_F(NamedAnswersTest, CertificateNotYetValidSaysFromWhen) {
  const ProbeResult r = probe_origin_with(testing::shared_pki().future_origin);
  ASSERT_TRUE(r.tls.not_before);
  expect_named(r, Outcome::kTlsVerifyFailed, Phase::kTlsHandshake,
               {"is not valid before " + utc_day(*r.tls.not_before) + " (UTC)", "clock"});
  EXPECT_EQ(r.tls.verify_code, X509_V_ERR_CERT_NOT_YET_VALID);
  EXPECT_EQ(r.tls.date_fault, CertDateFault::kNotYetValid);
}

TEST_F(NamedAnswersTest, ExpiredCertificateOfAnUnknownCaIsNotJustOutOfDate) {
  const ProbeResult r = probe_origin_with(testing::shared_pki().expired_inspected_origin);
  expect_named(r, Outcome::kTlsVerifyFailed, Phase::kTlsHandshake,
               {"does not verify", "CN=inspecting proxy CA", "SSL-inspecting proxy"});
  EXPECT_EQ(r.tls.date_fault, CertDateFault::kNone);
  EXPECT_TRUE(has_code(r.tls.chain_errors, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY))
      << ::testing::PrintToString(r.tls.chain_errors);
  EXPECT_TRUE(has_code(r.tls.chain_errors, X509_V_ERR_CERT_HAS_EXPIRED))
      << ::testing::PrintToString(r.tls.chain_errors);
}

TEST_F(NamedAnswersTest, ExpiredCertificateForAnotherNameIsNotJustOutOfDate) {
  testing::TlsOrigin origin(testing::shared_pki().expired_origin);
  testing::FakeProxy proxy({.behavior = NamedBehavior::kRelay, .upstream_port = origin.port()});
  ProbeSpec spec = spec_for(proxy.port());
  spec.target.host = "tools.cisco.com";
  const ProbeResult r = probe(spec);
  expect_named(r, Outcome::kTlsVerifyFailed, Phase::kTlsHandshake, {"does not verify"});
  EXPECT_EQ(r.tls.date_fault, CertDateFault::kNone);
  EXPECT_TRUE(has_code(r.tls.chain_errors, X509_V_ERR_HOSTNAME_MISMATCH))
      << ::testing::PrintToString(r.tls.chain_errors);
}

}  // namespace
}  // namespace proxywatch
