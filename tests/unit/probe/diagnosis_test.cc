// The per-probe diagnosis sentences as a table: each outcome, in the phase it happens in, and
// the key facts its sentence must carry (what failed, where, the numbers, what to check next).
#include "common/probe/diagnosis.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace proxywatch {
namespace {

struct Row {
  Outcome outcome;
  std::optional<Phase> phase;
  std::function<void(ProbeResult&, ProbeSpec&)> setup;
  std::vector<std::string> facts;  // substrings the sentence must contain
};

ProbeSpec base_spec() {
  ProbeSpec spec;
  spec.proxy = {"proxy.example", 3128};
  spec.target = {"tools.cisco.com", 443};
  spec.timeouts.tcp_connect = Millis(5'000);
  spec.timeouts.proxy_connect = Millis(10'000);
  spec.timeouts.tls_handshake = Millis(7'500);
  spec.timeouts.http_first_byte = Millis(4'000);
  spec.timeouts.stall = Millis(3'000);
  return spec;
}

void denied_answer(ProbeResult& r, ProbeSpec&) {
  r.connect_status = 403;
  r.connect_reason = "Forbidden";
  r.error_source = "X-Squid-Error: ERR_ACCESS_DENIED 0";
}

const std::vector<Row>& table() {
  static const std::vector<Row> rows = {
      {Outcome::kOk,
       std::nullopt,
       [](ProbeResult& r, ProbeSpec& s) {
         r.tls.version = "TLSv1.3";
         r.http_status = 302;
         s.request = HttpRequestSpec{"HEAD", "/"};
       },
       {"tools.cisco.com:443", "TLSv1.3", "HEAD / answered 302", "0 body bytes"}},
      {Outcome::kOk,
       std::nullopt,
       [](ProbeResult& r, ProbeSpec& s) {
         denied_answer(r, s);
         s.expect_denied = true;
       },
       {"refused the tunnel", "as its ACL should", "403 Forbidden", "ERR_ACCESS_DENIED"}},
      {Outcome::kDnsFailed,
       Phase::kDns,
       [](ProbeResult& r, ProbeSpec&) { r.error = "Host not found"; },
       {"proxy.example", "does not resolve", "Host not found", "DNS"}},
      {Outcome::kTcpRefused,
       Phase::kTcpConnect,
       [](ProbeResult& r, ProbeSpec&) { r.error = "Connection refused"; },
       {"proxy.example:3128", "Connection refused", "down"}},
      {Outcome::kTcpTimeout,
       Phase::kTcpConnect,
       nullptr,
       {"proxy.example:3128", "TCP handshake", "5 s", "firewall"}},
      {Outcome::kProxyDenied,
       Phase::kProxyConnect,
       denied_answer,
       {"tools.cisco.com:443", "403 Forbidden", "ACL", "ERR_ACCESS_DENIED", "allow it"}},
      {Outcome::kProxyUpstreamFailed,
       Phase::kProxyConnect,
       [](ProbeResult& r, ProbeSpec&) {
         r.connect_status = 502;
         r.connect_reason = "Bad Gateway";
       },
       {"could not reach tools.cisco.com:443", "502 Bad Gateway"}},
      {Outcome::kProxyUnavailable,
       Phase::kProxyConnect,
       [](ProbeResult& r, ProbeSpec&) {
         r.connect_status = 503;
         r.connect_reason = "Service Unavailable";
       },
       {"503 Service Unavailable", "overloaded"}},
      {Outcome::kProxyError,
       Phase::kProxyConnect,
       [](ProbeResult& r, ProbeSpec&) {
         r.connect_status = 400;
         r.connect_reason = "Bad Request";
       },
       {"CONNECT tools.cisco.com:443", "400 Bad Request"}},
      {Outcome::kProxyAuthRequired,
       Phase::kProxyConnect,
       [](ProbeResult& r, ProbeSpec&) {
         r.connect_status = 407;
         r.auth_schemes = {"Basic", "Digest"};
       },
       {"demands authentication", "407", "Basic, Digest", "no proxy credentials"}},
      {Outcome::kProxyAuthFailed,
       Phase::kProxyConnect,
       [](ProbeResult& r, ProbeSpec& s) {
         r.connect_status = 407;
         r.auth_schemes = {"Digest"};
         r.auth_scheme = "Digest SHA-256";
         r.auth_attempts = 1;
         s.credentials = ProxyCredentials{"alice", "s3cret-Pw"};
       },
       {"rejected the credentials of user alice", "1 Digest SHA-256 attempt", "password"}},
      {Outcome::kProxyAuthUnsupported,
       Phase::kProxyConnect,
       [](ProbeResult& r, ProbeSpec&) {
         r.auth_schemes = {"NTLM", "Negotiate"};
       },
       {"only NTLM, Negotiate", "not supported", "Basic or Digest"}},
      {Outcome::kProxyAuthInsecure,
       Phase::kProxyConnect,
       [](ProbeResult& r, ProbeSpec& s) {
         r.auth_schemes = {"Basic"};
         s.refuse_basic = true;
       },
       {"only Basic", "in clear", "refuse_basic_auth"}},
      {Outcome::kProxyStalled,
       Phase::kProxyConnect,
       nullptr,
       {"did not answer CONNECT tools.cisco.com:443 within 10 s"}},
      {Outcome::kProxyClosed,
       Phase::kProxyConnect,
       [](ProbeResult& r, ProbeSpec&) { r.peer_close = PeerClose::kRst; },
       {"reset (RST)", "before answering CONNECT"}},
      {Outcome::kProxyProtocolError,
       Phase::kProxyConnect,
       [](ProbeResult& r, ProbeSpec&) { r.error = "bad version"; },
       {"not valid HTTP", "bad version"}},
      {Outcome::kTunnelNotDenied,
       Phase::kProxyConnect,
       [](ProbeResult&, ProbeSpec& s) { s.expect_denied = true; },
       {"opened a tunnel to tools.cisco.com:443", "should deny", "no longer enforced"}},
      {Outcome::kLocalError,
       Phase::kTcpConnect,
       [](ProbeResult& r, ProbeSpec&) { r.error = "Too many open files"; },
       {"proxywatch could not open a socket", "Too many open files", "not the proxy",
        "LimitNOFILE"}},
      {Outcome::kTlsReset,
       Phase::kTlsHandshake,
       nullptr,
       {"reset during the TLS handshake", "tools.cisco.com:443", "MTU"}},
      {Outcome::kTlsStalled,
       Phase::kTlsHandshake,
       nullptr,
       {"did not finish within 7.5 s", "MTU", "relays nothing"}},
      {Outcome::kTlsFailed,
       Phase::kTlsHandshake,
       [](ProbeResult& r, ProbeSpec&) {
         r.error = "handshake failure";
         r.peer_close = PeerClose::kFin;
       },
       {"TLS handshake with tools.cisco.com:443 failed", "handshake failure", "closed (FIN)"}},
      {Outcome::kTlsVerifyFailed,
       Phase::kTlsHandshake,
       [](ProbeResult& r, ProbeSpec&) {
         r.tls.verify_error = "unable to get local issuer certificate";
         r.tls.issuer = "CN=Inspecting Proxy CA";
       },
       {"does not verify", "unable to get local issuer", "CN=Inspecting Proxy CA",
        "SSL-inspecting"}},
      {Outcome::kHttpStalled,
       Phase::kHttpFirstByte,
       [](ProbeResult&, ProbeSpec& s) {
         s.request = HttpRequestSpec{"GET", "/"};
       },
       {"did not answer the HTTP request within 4 s"}},
      {Outcome::kHttpStalled,
       Phase::kTransfer,
       [](ProbeResult& r, ProbeSpec& s) {
         s.request = HttpRequestSpec{"GET", "/big"};
         r.bytes = 4096;
         r.content_length = 1'000'000;
       },
       {"went silent after 4096 of 1000000 bytes", "stall timeout 3 s"}},
      {Outcome::kHttpIncomplete,
       Phase::kTransfer,
       [](ProbeResult& r, ProbeSpec& s) {
         s.request = HttpRequestSpec{"GET", "/big"};
         r.bytes = 100;
         r.content_length = 5000;
         r.peer_close = PeerClose::kFin;
       },
       {"closed (FIN) after 100 of 5000 bytes", "incomplete"}},
      // A transfer that ran into the phase deadline while bytes arrived is not called silent.
      {Outcome::kHttpStalled,
       Phase::kTransfer,
       [](ProbeResult& r, ProbeSpec& s) {
         s.request = HttpRequestSpec{"GET", "/big"};
         s.timeouts.transfer = Millis(60'000);
         r.bytes = 90'000;
         r.transfer_deadline_reached = true;
       },
       {"did not finish within the transfer deadline (60 s)", "90000 bytes", "not silent"}},
      // An answer the parser refused is named as such, not as a close after 0 bytes.
      {Outcome::kHttpIncomplete,
       Phase::kTransfer,
       [](ProbeResult& r, ProbeSpec& s) {
         s.request = HttpRequestSpec{"GET", "/"};
         r.answer_malformed = true;
         r.error = "bad Content-Length";
       },
       {"malformed HTTP answer", "bad Content-Length"}},
      {Outcome::kHttpError,
       Phase::kHttpFirstByte,
       [](ProbeResult& r, ProbeSpec& s) {
         s.request = HttpRequestSpec{"GET", "/missing"};
         r.http_status = 404;
       },
       {"answered GET /missing with HTTP 404"}},
  };
  return rows;
}

TEST(DiagnosisTest, EachOutcomeAndPhaseNamesItsKeyFacts) {
  for (const Row& row : table()) {
    ProbeResult r;
    r.outcome = row.outcome;
    r.phase = row.phase;
    ProbeSpec s = base_spec();
    if (row.setup) row.setup(r, s);
    std::string sentence = diagnose(r, s);
    SCOPED_TRACE(std::string(to_string(row.outcome)) + ": " + sentence);
    for (const std::string& fact : row.facts)
      EXPECT_NE(sentence.find(fact), std::string::npos) << fact;
    EXPECT_EQ(sentence.find("s3cret-Pw"), std::string::npos) << "never the password";
    EXPECT_EQ(sentence.back(), '.') << "one sentence";
  }
}

TEST(DiagnosisTest, EveryOutcomeIsInTheTable) {
  for (Outcome o : kAllOutcomes) {
    bool found = false;
    for (const Row& row : table()) found = found || row.outcome == o;
    EXPECT_TRUE(found) << to_string(o);
  }
}

}  // namespace
}  // namespace proxywatch
