// The human timeline of `proxywatch check`: a header naming proxy and target, one line per phase
// that ran (name, milliseconds with one decimal, what happened), the failing phase marked, the
// close line for a passed TLS probe only, then outcome and diagnosis. The password never shows.
#include "common/output/print/timeline.h"

#include <gtest/gtest.h>

#include <string>

namespace proxywatch {
namespace {

void set(ProbeResult& r, Phase phase, double seconds) {
  r.phases[static_cast<std::size_t>(phase)] = Seconds(seconds);
}

ProbeSpec timeline_spec() {
  ProbeSpec s;
  s.proxy = {"proxy.example.com", 3128};
  s.target = {"tools.cisco.com", 443};
  s.request = HttpRequestSpec{"HEAD", "/"};
  return s;
}

// A probe that passed every phase; the origin answered 302 to HEAD / and ended with FIN.
ProbeResult timeline_passed() {
  ProbeResult r;
  set(r, Phase::kDns, 0.0012);
  set(r, Phase::kTcpConnect, 0.0021);
  set(r, Phase::kProxyConnect, 0.0305);
  set(r, Phase::kTlsHandshake, 0.04567);
  set(r, Phase::kHttpFirstByte, 0.1);
  set(r, Phase::kTransfer, 0.0);
  r.close_duration = Seconds(0.0004);
  r.tcp_after_connect = TcpInfo{.rtt_us = 800, .snd_mss = 1448};
  r.connect_status = 200;
  r.connect_reason = "Connection established";
  r.tls = {.version = "TLSv1.3",
           .cipher = "TLS_AES_256_GCM_SHA384",
           .subject = "CN=tools.cisco.com",
           .issuer = "CN=IdenTrust Commercial Root CA 1",
           .not_after = 1767225600,  // 2026-01-01T00:00:00Z
           .verify_error = ""};
  r.http_status = 302;
  r.peer_close = PeerClose::kFin;
  r.diagnosis = "The tunnel works.";
  return r;
}

TEST(TimelineTest, PassedProbeHasEveryPhaseLineInOrder) {
  const std::string expected =
      "proxy proxy.example.com:3128 → target tools.cisco.com:443\n"
      "  dns                  1.2 ms  resolve proxy.example.com\n"
      "  tcp_connect          2.1 ms  TCP handshake with proxy.example.com:3128 (rtt 800 us, mss "
      "1448)\n"
      "  proxy_connect       30.5 ms  CONNECT tools.cisco.com:443 → 200 Connection established\n"
      "  tls_handshake       45.7 ms  TLSv1.3 TLS_AES_256_GCM_SHA384, certificate "
      "CN=tools.cisco.com issued by CN=IdenTrust Commercial Root CA 1, expires 2026-01-01\n"
      "  http_first_byte    100.0 ms  HEAD / → first byte\n"
      "  transfer             0.0 ms  HTTP 302, 0 body bytes\n"
      "  close                0.4 ms  peer ended with fin\n"
      "outcome: ok\n"
      "diagnosis: The tunnel works.\n";
  EXPECT_EQ(format_timeline(timeline_passed(), timeline_spec()), expected);
}

TEST(TimelineTest, PhasesThatDidNotRunAreLeftOut) {
  ProbeResult r = timeline_passed();
  r.phases[static_cast<std::size_t>(Phase::kDns)].reset();
  r.phases[static_cast<std::size_t>(Phase::kHttpFirstByte)].reset();
  r.phases[static_cast<std::size_t>(Phase::kTransfer)].reset();
  const std::string text = format_timeline(r, timeline_spec());
  EXPECT_EQ(text.find("dns "), std::string::npos) << text;
  EXPECT_EQ(text.find("http_first_byte"), std::string::npos) << text;
  EXPECT_EQ(text.find("transfer"), std::string::npos) << text;
  EXPECT_NE(text.find("  tcp_connect "), std::string::npos) << text;
}

TEST(TimelineTest, FailedPhaseIsMarkedAndNoCloseLineFollows) {
  ProbeResult r;
  r.outcome = Outcome::kProxyDenied;
  r.phase = Phase::kProxyConnect;
  set(r, Phase::kTcpConnect, 0.002);
  set(r, Phase::kProxyConnect, 0.0031);
  r.connect_status = 403;
  r.connect_reason = "Forbidden";
  r.diagnosis = "The proxy refused the tunnel (403).";
  const std::string text = format_timeline(r, timeline_spec());
  EXPECT_NE(text.find("  proxy_connect        3.1 ms  CONNECT tools.cisco.com:443 → 403 Forbidden"
                      "  ✗\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("TCP handshake with proxy.example.com:3128  ✗"), std::string::npos) << text;
  EXPECT_EQ(text.find("close"), std::string::npos) << text;
  EXPECT_NE(text.find("outcome: proxy_denied (phase proxy_connect)\n"), std::string::npos) << text;
  EXPECT_TRUE(text.ends_with("diagnosis: The proxy refused the tunnel (403).\n")) << text;
}

TEST(TimelineTest, ConnectWithoutAnswerSaysSo) {
  ProbeResult r;
  r.outcome = Outcome::kProxyStalled;
  r.phase = Phase::kProxyConnect;
  set(r, Phase::kProxyConnect, 10.0);
  const std::string text = format_timeline(r, timeline_spec());
  EXPECT_NE(text.find("10000.0 ms  CONNECT tools.cisco.com:443 → no answer  ✗"), std::string::npos)
      << text;
}

TEST(TimelineTest, AuthenticationStepsAreShownWithoutThePassword) {
  ProbeSpec s = timeline_spec();
  s.credentials = ProxyCredentials{"fmc-user", "Pw 99;secret"};
  ProbeResult r = timeline_passed();
  r.auth_scheme = "Digest SHA-256";
  r.auth_stale_retry = true;
  r.auth_reconnects = 1;
  const std::string text = format_timeline(r, s);
  EXPECT_NE(text.find("CONNECT tools.cisco.com:443 → 407 → Digest SHA-256 → 407 stale nonce → "
                      "retry (1 reconnect) → 200 Connection established"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("Pw 99"), std::string::npos) << text;
}

TEST(TimelineTest, TlsWithoutSessionNamesTheTargetHost) {
  ProbeResult r;
  r.outcome = Outcome::kTlsStalled;
  r.phase = Phase::kTlsHandshake;
  set(r, Phase::kTlsHandshake, 10.0);
  const std::string text = format_timeline(r, timeline_spec());
  EXPECT_NE(text.find("TLS handshake with tools.cisco.com  ✗"), std::string::npos) << text;
}

TEST(TimelineTest, CertificateWithoutExpiryHasNoExpiresPart) {
  ProbeResult r = timeline_passed();
  r.tls.not_after.reset();
  const std::string text = format_timeline(r, timeline_spec());
  EXPECT_NE(text.find("issued by CN=IdenTrust Commercial Root CA 1\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("expires"), std::string::npos) << text;
}

TEST(TimelineTest, NegativeProbeAndUnseenCloseAreNamed) {
  ProbeSpec s = timeline_spec();
  s.expect_denied = true;
  ProbeResult r = timeline_passed();
  r.peer_close = PeerClose::kNotSeen;
  const std::string text = format_timeline(r, s);
  EXPECT_TRUE(text.starts_with(
      "proxy proxy.example.com:3128 → target tools.cisco.com:443 (expect denied)\n"))
      << text;
  EXPECT_NE(text.find("peer ended with no close seen\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace proxywatch
