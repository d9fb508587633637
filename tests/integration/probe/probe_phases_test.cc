// The probe's phases driven in-process by scripted proxies (tests/support/fake_proxy.h) on
// 127.0.0.1: each answer to CONNECT — 200 and a tunnel, 403, 407, other error statuses,
// garbage, silence, a close, a reset — ends the probe with its outcome in its phase, and every
// phase that ran, and only those, has its duration recorded. The probe runs on the test's own
// io_context; the TLS origin and its CA are the shared test PKI's.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <initializer_list>
#include <optional>
#include <stdexcept>

#include "common/probe/probe.h"
#include "tests/support/fake_proxy.h"
#include "tests/support/probe_here.h"
#include "tests/support/local_port.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_origin.h"

namespace proxywatch {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Behavior = testing::FakeProxy::Behavior;

class ProbePhasesTest : public ::testing::Test {
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

  testing::TlsOrigin origin_;
  TlsContexts contexts_;
};

// Exactly the phases `ran` have a duration; each is positive and together they fit in the
// probe's total.
void expect_timed(const ProbeResult& r, std::initializer_list<Phase> ran) {
  Seconds sum{0};
  for (Phase p : kAllPhases) {
    const bool expected = std::find(ran.begin(), ran.end(), p) != ran.end();
    ASSERT_EQ(r.duration(p).has_value(), expected) << to_string(p);
    if (!expected) continue;
    EXPECT_GT(*r.duration(p), Seconds(0)) << to_string(p);
    sum += *r.duration(p);
  }
  EXPECT_LE(sum, r.total);
}

void expect_failed(const ProbeResult& r, Outcome outcome, Phase phase) {
  EXPECT_EQ(to_string(r.outcome), to_string(outcome)) << r.error << " / " << r.diagnosis;
  ASSERT_TRUE(r.phase.has_value());
  EXPECT_EQ(to_string(*r.phase), to_string(phase));
  EXPECT_FALSE(r.diagnosis.empty());
}

TEST_F(ProbePhasesTest, TunnelAndRequestPassEveryPhase) {
  testing::FakeProxy proxy({.behavior = Behavior::kRelay, .upstream_port = origin_.port()});
  ProbeSpec spec = spec_for(proxy.port());
  spec.request = HttpRequestSpec{"GET", "/bytes/5000"};
  const ProbeResult r = probe(spec);
  EXPECT_EQ(to_string(r.outcome), "ok") << r.error << " / " << r.diagnosis;
  EXPECT_FALSE(r.phase.has_value());
  EXPECT_EQ(r.connect_status, 200u);
  EXPECT_EQ(r.tls.version, "TLSv1.3");
  EXPECT_EQ(r.http_status, 200u);
  EXPECT_EQ(r.bytes, 5000u);
  // An IP literal is not resolved: no dns phase.
  expect_timed(r, {Phase::kTcpConnect, Phase::kProxyConnect, Phase::kTlsHandshake,
                   Phase::kHttpFirstByte, Phase::kTransfer});
  ASSERT_EQ(proxy.requests().size(), 1u);
  EXPECT_TRUE(proxy.requests()[0].starts_with(
      "CONNECT origin.test:" + std::to_string(origin_.port()) + " HTTP/1.1\r\n"))
      << proxy.requests()[0];
}

TEST_F(ProbePhasesTest, TunnelWithoutRequestEndsAfterTheHandshake) {
  const ProbeResult r =
      probe_through({.behavior = Behavior::kRelay, .upstream_port = origin_.port()});
  EXPECT_EQ(to_string(r.outcome), "ok") << r.error;
  expect_timed(r, {Phase::kTcpConnect, Phase::kProxyConnect, Phase::kTlsHandshake});
}

TEST_F(ProbePhasesTest, ForbiddenIsProxyDenied) {
  const ProbeResult r =
      probe_through({.behavior = Behavior::kStatus, .status_line = "HTTP/1.1 403 Forbidden"});
  expect_failed(r, Outcome::kProxyDenied, Phase::kProxyConnect);
  EXPECT_EQ(r.connect_status, 403u);
  EXPECT_EQ(r.connect_reason, "Forbidden");
  expect_timed(r, {Phase::kTcpConnect, Phase::kProxyConnect});
}

TEST_F(ProbePhasesTest, ForbiddenPassesANegativeProbe) {
  testing::FakeProxy proxy(
      {.behavior = Behavior::kStatus, .status_line = "HTTP/1.1 403 Forbidden"});
  ProbeSpec spec = spec_for(proxy.port());
  spec.expect_denied = true;
  const ProbeResult r = probe(spec);
  EXPECT_EQ(to_string(r.outcome), "ok") << r.diagnosis;
  EXPECT_EQ(r.connect_status, 403u);
  expect_timed(r, {Phase::kTcpConnect, Phase::kProxyConnect});
}

TEST_F(ProbePhasesTest, OpenTunnelFailsANegativeProbe) {
  testing::FakeProxy proxy({.behavior = Behavior::kRelay, .upstream_port = origin_.port()});
  ProbeSpec spec = spec_for(proxy.port());
  spec.expect_denied = true;
  const ProbeResult r = probe(spec);
  expect_failed(r, Outcome::kTunnelNotDenied, Phase::kProxyConnect);
  expect_timed(r, {Phase::kTcpConnect, Phase::kProxyConnect});
}

TEST_F(ProbePhasesTest, ErrorStatusesMapToTheirOutcomes) {
  const std::pair<const char*, Outcome> cases[] = {
      {"HTTP/1.1 502 Bad Gateway", Outcome::kProxyUpstreamFailed},
      {"HTTP/1.1 504 Gateway Timeout", Outcome::kProxyUpstreamFailed},
      {"HTTP/1.1 503 Service Unavailable", Outcome::kProxyUnavailable},
      {"HTTP/1.1 500 Internal Server Error", Outcome::kProxyError},
      {"HTTP/1.1 400 Bad Request", Outcome::kProxyError},
  };
  for (const auto& [status_line, outcome] : cases) {
    SCOPED_TRACE(status_line);
    const ProbeResult r =
        probe_through({.behavior = Behavior::kStatus, .status_line = status_line});
    expect_failed(r, outcome, Phase::kProxyConnect);
    expect_timed(r, {Phase::kTcpConnect, Phase::kProxyConnect});
  }
}

TEST_F(ProbePhasesTest, ProxyAuthenticationWithoutCredentialsIsRequired) {
  const ProbeResult r = probe_through(
      {.behavior = Behavior::kStatus,
       .status_line = "HTTP/1.1 407 Proxy Authentication Required",
       .extra_headers = {"Proxy-Authenticate: Basic realm=\"fmc\"",
                         "Proxy-Authenticate: Digest realm=\"fmc\", nonce=\"n1\", qop=\"auth\""}});
  expect_failed(r, Outcome::kProxyAuthRequired, Phase::kProxyConnect);
  EXPECT_EQ(r.connect_status, 407u);
  EXPECT_EQ(r.auth_schemes, (std::vector<std::string>{"Basic", "Digest"}));
  expect_timed(r, {Phase::kTcpConnect, Phase::kProxyConnect});
}

TEST_F(ProbePhasesTest, OnlyNtlmOfferedIsUnsupportedEvenWithCredentials) {
  testing::FakeProxy proxy(
      {.behavior = Behavior::kStatus,
       .status_line = "HTTP/1.1 407 Proxy Authentication Required",
       .extra_headers = {"Proxy-Authenticate: NTLM", "Proxy-Authenticate: Negotiate"}});
  ProbeSpec spec = spec_for(proxy.port());
  spec.credentials = ProxyCredentials{"fmc-user", "secret"};
  const ProbeResult r = probe(spec);
  expect_failed(r, Outcome::kProxyAuthUnsupported, Phase::kProxyConnect);
  EXPECT_EQ(r.auth_schemes, (std::vector<std::string>{"NTLM", "Negotiate"}));
  expect_timed(r, {Phase::kTcpConnect, Phase::kProxyConnect});
}

TEST_F(ProbePhasesTest, GarbageAnswerIsAProtocolError) {
  const ProbeResult r = probe_through(
      {.behavior = Behavior::kGarbageStatus, .status_line = "SSH-2.0-OpenSSH_9.2\r\n\r\n"});
  expect_failed(r, Outcome::kProxyProtocolError, Phase::kProxyConnect);
  EXPECT_EQ(r.connect_status, 0u);
  expect_timed(r, {Phase::kTcpConnect, Phase::kProxyConnect});
}

TEST_F(ProbePhasesTest, SilenceStallsTheConnectPhaseForItsDeadline) {
  testing::FakeProxy proxy({.behavior = Behavior::kNeverAnswer});
  ProbeSpec spec = spec_for(proxy.port());
  spec.timeouts.proxy_connect = 300ms;
  const ProbeResult r = probe(spec);
  expect_failed(r, Outcome::kProxyStalled, Phase::kProxyConnect);
  expect_timed(r, {Phase::kTcpConnect, Phase::kProxyConnect});
  EXPECT_GE(*r.duration(Phase::kProxyConnect), Seconds(0.3));
  EXPECT_LT(*r.duration(Phase::kProxyConnect), Seconds(3));
}

TEST_F(ProbePhasesTest, CloseBeforeAnswerIsProxyClosedWithFin) {
  const ProbeResult r = probe_through({.behavior = Behavior::kCloseBeforeAnswer});
  expect_failed(r, Outcome::kProxyClosed, Phase::kProxyConnect);
  EXPECT_EQ(to_string(r.peer_close), "fin");
  expect_timed(r, {Phase::kTcpConnect, Phase::kProxyConnect});
}

TEST_F(ProbePhasesTest, SilenceAfter200StallsTheHandshakeForItsDeadline) {
  testing::FakeProxy proxy({.behavior = Behavior::kOkThenSilent});
  ProbeSpec spec = spec_for(proxy.port());
  spec.timeouts.tls_handshake = 300ms;
  const ProbeResult r = probe(spec);
  expect_failed(r, Outcome::kTlsStalled, Phase::kTlsHandshake);
  EXPECT_EQ(r.connect_status, 200u);
  expect_timed(r, {Phase::kTcpConnect, Phase::kProxyConnect, Phase::kTlsHandshake});
  EXPECT_GE(*r.duration(Phase::kTlsHandshake), Seconds(0.3));
  EXPECT_LT(*r.duration(Phase::kTlsHandshake), Seconds(3));
}

TEST_F(ProbePhasesTest, ResetOnClientHelloIsTlsResetWithRst) {
  const ProbeResult r = probe_through({.behavior = Behavior::kResetOnClientHello});
  expect_failed(r, Outcome::kTlsReset, Phase::kTlsHandshake);
  EXPECT_EQ(to_string(r.peer_close), "rst");
  expect_timed(r, {Phase::kTcpConnect, Phase::kProxyConnect, Phase::kTlsHandshake});
}

TEST_F(ProbePhasesTest, CertificateOfAnotherCaFailsVerification) {
  testing::TlsOrigin inspected(testing::shared_pki().inspected_origin);
  const ProbeResult r =
      probe_through({.behavior = Behavior::kRelay, .upstream_port = inspected.port()});
  expect_failed(r, Outcome::kTlsVerifyFailed, Phase::kTlsHandshake);
  EXPECT_EQ(r.tls.issuer, "CN=inspecting proxy CA");
  expect_timed(r, {Phase::kTcpConnect, Phase::kProxyConnect, Phase::kTlsHandshake});
}

TEST_F(ProbePhasesTest, NothingListeningIsTcpRefused) {
  const ProbeResult r = probe(spec_for(testing::pick_free_port()));
  expect_failed(r, Outcome::kTcpRefused, Phase::kTcpConnect);
  expect_timed(r, {Phase::kTcpConnect});
}

}  // namespace
}  // namespace proxywatch
