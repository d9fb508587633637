// What one probe found: its outcome and failing phase, the time each phase took, and the
// evidence gathered on the way (proxy answer, TLS session, HTTP answer, TCP_INFO). A probe's
// failure is data here, never an exception.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/local_errors.h"
#include "common/outcome.h"

namespace proxywatch {

using Seconds = std::chrono::duration<double>;

// A snapshot of the kernel's TCP_INFO for the probe's socket (tcp(7)).
struct TcpInfo {
  std::uint32_t rtt_us = 0;
  std::uint32_t rttvar_us = 0;
  std::uint32_t retransmits = 0;  // tcpi_total_retrans: segments retransmitted so far
  std::uint32_t snd_mss = 0;
  std::uint32_t rcv_mss = 0;
  std::uint32_t pmtu = 0;
  friend bool operator==(const TcpInfo&, const TcpInfo&) = default;
};

// The leaf certificate's validity period when it is the only reason the chain fails to verify.
enum class CertDateFault { kNone, kExpired, kNotYetValid };
// "none", "expired", "not_yet_valid".
std::string_view to_string(CertDateFault fault);

// The TLS session with the origin, or as much of it as the handshake got to.
struct TlsInfo {
  std::string version;  // "TLSv1.3"
  std::string cipher;
  std::string subject;                       // leaf certificate, RFC 2253
  std::string issuer;                        // leaf certificate's issuer, RFC 2253
  std::optional<std::int64_t> not_before{};  // leaf validity start, seconds since the epoch
  std::optional<std::int64_t> not_after;     // leaf expiry, seconds since the epoch
  std::string verify_error;                  // OpenSSL's text when verification failed
  int verify_code = 0;                       // OpenSSL's X509_V_ERR_* behind verify_error
  // Every error of the presented chain (X509_V_ERR_* codes, at most 8), from a second
  // verification that goes on past each one: the handshake's own stops at the first.
  std::vector<int> chain_errors{};
  // kExpired / kNotYetValid when the leaf's dates are the chain's only fault (its issuer is
  // trusted and its name matches): an outdated certificate or a wrong clock, no inspection.
  CertDateFault date_fault = CertDateFault::kNone;
  // Record headers the peer sent during the handshake (TLS or not); nullopt: no handshake ran.
  std::optional<unsigned> records_received{};
};

// An HTTP answer's head where something else was expected: in the tunnel where the TLS
// ServerHello belonged (a block page, a captive portal's redirect). Printable and bounded.
struct TunnelAnswer {
  unsigned version = 11;  // 10 or 11: HTTP/1.0 or HTTP/1.1
  unsigned status = 0;    // 0: the head could not be read, only its "HTTP/" start
  std::string reason{};
  std::string location{};  // the Location header (a redirect's target), if any
  std::string server{};    // the Server header, if any
};

// The page a proxy sent with its answer: the body of an error answer (403, 502, 503 ...), or a
// page sent with a 200 instead of a tunnel (a block page, a captive portal). Only what arrived
// with the header and, for those answers, at most 4 KiB more within the proxy_connect deadline
// is read (common/probe/answer_page.h); both strings are printable ASCII.
struct AnswerPage {
  std::string content_type;  // the Content-Type header, at most 100 bytes; empty when none
  std::string title;         // the page's <title>, at most 120 bytes; empty when none was found
  std::uint64_t bytes = 0;   // body bytes read (at most 4 KiB)
};

// How the far end of the proxy connection ended it, when we saw it end.
enum class PeerClose { kNotSeen, kFin, kRst };
std::string_view to_string(PeerClose close);

struct ProbeResult {
  Outcome outcome = Outcome::kOk;
  // The phase the failure happened in; empty when the outcome is ok.
  std::optional<Phase> phase;
  // Durations of the phases that ran (a failed phase holds the time until it failed).
  std::array<std::optional<Seconds>, kAllPhases.size()> phases{};
  Seconds close_duration{0};
  Seconds total{0};
  std::chrono::system_clock::time_point started;

  std::string proxy_address;  // the address actually connected to, "ip:port"

  // The proxy's own answer: to CONNECT, or the refusal or error page it made in place of the
  // origin's answer to a plain-HTTP request (answer_source.h). 0 when none arrived, and for a
  // plain-HTTP request whose answer was the origin's.
  unsigned connect_status = 0;
  std::string connect_reason;
  // Who produced an error answer, from Via, X-Squid-Error and Server (empty if unknown).
  std::string error_source;
  // squid's own error page, from X-Squid-Error: its name ("ERR_CONNECT_FAIL"; "ERR_" and
  // [A-Z0-9_], at most 40 bytes; empty when absent or not such a name) and the number after it
  // (an errno for ERR_CONNECT_FAIL and the read/write errors; 0 when none).
  // common/probe/squid_error.h says what each means; diagnosis.cc puts it in words.
  std::string squid_error;
  int squid_error_detail = 0;
  // The page that came with the answer (error page, or a page instead of a tunnel); nullopt
  // when the answer announced none or is a 407.
  std::optional<AnswerPage> answer_page;
  // Schemes offered in Proxy-Authenticate on a 407 ("Basic", "Digest", "NTLM" ...).
  std::vector<std::string> auth_schemes;
  // Proxy authentication, when the proxy asked for it: the scheme answered ("Digest SHA-256",
  // "Digest MD5", "Basic"; empty when no credentials were sent), how many CONNECTs carried
  // them, whether a stale nonce was retried, and how often the probe reconnected because the
  // proxy closed the connection after its 407.
  std::string auth_scheme;
  unsigned auth_attempts = 0;
  bool auth_stale_retry = false;
  // The proxy answered stale=true again to the retry with its fresh nonce: it rejects its own
  // nonces, which says nothing about the password (proxy_auth_failed, named as such).
  bool auth_stale_loop = false;
  unsigned auth_reconnects = 0;

  // The proxy's port answered in TLS (an HTTPS proxy, or the wrong port): a TLS record came in
  // answer to CONNECT, or, after it closed without a byte, in answer to a ClientHello sent on a
  // new connection to the same address (proxy_protocol_error).
  bool proxy_speaks_tls = false;

  TlsInfo tls;
  // An HTTP answer that came through the open tunnel instead of a ServerHello (the proxy or a
  // device in its path answered for the destination); the outcome follows its status.
  std::optional<TunnelAnswer> tunnel_answer{};

  // The status of the answer to the request: the origin's, or for a plain-HTTP target also the
  // proxy's own (then connect_status holds it too).
  unsigned http_status = 0;
  std::string location;                         // a plain-HTTP answer's Location, if any
  std::uint64_t bytes = 0;                      // body bytes received
  std::optional<std::uint64_t> content_length;  // as the origin announced it
  double throughput_bytes_per_s = 0;            // body bytes over the transfer phase
  // How a failed transfer ended when its outcome alone does not say: the phase's overall
  // deadline passed while bytes still arrived (http_stalled, but not silent), or the HTTP
  // parser refused the answer (http_incomplete, but nothing was cut: bad Content-Length,
  // header over the limit ...).
  bool transfer_deadline_reached = false;
  bool answer_malformed = false;

  std::optional<TcpInfo> tcp_after_connect;
  std::optional<TcpInfo> tcp_at_end;

  PeerClose peer_close = PeerClose::kNotSeen;
  std::string error;  // the low-level error text behind a failure, if any
  // With the outcome local_error: which of this process' resources ran out.
  std::optional<LocalReason> local_reason{};
  std::string diagnosis;  // one sentence for a human
  // A confirmation probe: made sooner than the target's interval to confirm a verdict (after a
  // failure, or after a failing pair's first pass; docs/outcomes.md, "Confirmation probes").
  // Set by the daemon's scheduler; a probe of `check` is never one.
  bool confirmation = false;

  bool ok() const { return outcome == Outcome::kOk; }
  std::optional<Seconds> duration(Phase p) const { return phases[static_cast<size_t>(p)]; }
  // The TCP_INFO snapshot to report: the last one taken.
  const std::optional<TcpInfo>& tcp() const { return tcp_at_end ? tcp_at_end : tcp_after_connect; }
};

// True when the probe failed and the peer reset the connection: an RST was seen, or the outcome
// is a reset by itself (OutcomeTraits::reset: tls_reset). The one definition that resets_total
// and the window share.
bool is_reset(const ProbeResult& result);

}  // namespace proxywatch
