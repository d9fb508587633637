// The sentences that name an answer for what it is rather than by its outcome alone: an HTTP
// answer in the tunnel, a proxy port that speaks TLS, a tunnel closed right after the
// ClientHello, a certificate whose only fault is its dates. Through diagnose(), as users see it.
#include "common/probe/diagnosis.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace proxywatch {
namespace {

ProbeSpec sentences_spec() {
  ProbeSpec spec;
  spec.proxy = {"proxy.example", 3128};
  spec.target = {"tools.cisco.com", 443};
  return spec;
}

ProbeResult sentences_failed(Outcome outcome, Phase phase) {
  ProbeResult r;
  r.outcome = outcome;
  r.phase = phase;
  return r;
}

void expect_facts(const std::string& sentence, const std::vector<std::string>& facts) {
  for (const std::string& fact : facts) {
    EXPECT_NE(sentence.find(fact), std::string::npos) << "missing \"" << fact << "\" in\n"
                                                      << sentence;
  }
}

TEST(TlsSentencesTest, HttpAnswerInTheTunnelQuotesStatusAndLocation) {
  ProbeResult r = sentences_failed(Outcome::kProxyError, Phase::kTlsHandshake);
  r.tunnel_answer = TunnelAnswer{.version = 11,
                                 .status = 302,
                                 .reason = "Found",
                                 .location = "http://portal.example/login",
                                 .server = "captive"};
  expect_facts(
      diagnose(r, sentences_spec()),
      {"tools.cisco.com:443", "\"HTTP/1.1 302 Found\"", "to http://portal.example/login",
       "Server: captive", "ServerHello", "a device in its path", "instead of the destination"});
  r.tunnel_answer = TunnelAnswer{};
  expect_facts(diagnose(r, sentences_spec()), {"could not be read"});
}

TEST(TlsSentencesTest, ProxyPortSpeakingTlsSaysSo) {
  ProbeResult r = sentences_failed(Outcome::kProxyProtocolError, Phase::kProxyConnect);
  r.proxy_speaks_tls = true;
  expect_facts(diagnose(r, sentences_spec()),
               {"proxy.example:3128 speaks TLS", "HTTPS proxy", "plain HTTP"});
}

TEST(TlsSentencesTest, CloseRightAfterTheClientHelloNamesSniFiltering) {
  ProbeResult r = sentences_failed(Outcome::kTlsFailed, Phase::kTlsHandshake);
  r.peer_close = PeerClose::kFin;
  r.tls.records_received = 0;
  expect_facts(diagnose(r, sentences_spec()),
               {"closed the tunnel", "FIN", "ClientHello for SNI tools.cisco.com",
                "without a ServerHello", "SNI-based filtering"});
  r.tls.records_received = 1;  // an alert, or more: not this case
  EXPECT_EQ(diagnose(r, sentences_spec()).find("SNI-based"), std::string::npos);
}

TEST(TlsSentencesTest, DateFaultsGiveTheDate) {
  ProbeResult r = sentences_failed(Outcome::kTlsVerifyFailed, Phase::kTlsHandshake);
  r.tls.issuer = "CN=IdenTrust";
  r.tls.not_before = 1767225600;  // 2026-01-01 00:00:00 UTC
  r.tls.not_after = 1767312000;   // 2026-01-02 00:00:00 UTC
  r.tls.date_fault = CertDateFault::kExpired;
  expect_facts(diagnose(r, sentences_spec()),
               {"certificate of tools.cisco.com:443 expired on 2026-01-02 (UTC)", "CN=IdenTrust"});
  r.tls.date_fault = CertDateFault::kNotYetValid;
  expect_facts(diagnose(r, sentences_spec()), {"is not valid before 2026-01-01 (UTC)", "clock"});
  r.tls.date_fault = CertDateFault::kNone;
  r.tls.verify_error = "unable to get local issuer certificate";
  expect_facts(diagnose(r, sentences_spec()), {"does not verify", "SSL-inspecting"});
}

}  // namespace
}  // namespace proxywatch
