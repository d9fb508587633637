// One probe as an object: its spec, its sockets and the ProbeResult it fills, phase by phase.
// Internal to common/probe: run_probe (probe.h) is the interface. Each phase is a coroutine step
// that either completes (returns true) or records the outcome and phase it failed in (returns
// false). The steps live in four files by concept: probe.cc reaches the proxy (DNS, TCP) and
// closes; probe_connect.cc is the request to the proxy (CONNECT, or a plain-HTTP request in
// absolute form) and its authentication; probe_origin.cc is the TLS handshake and the HTTP
// request with the origin through the tunnel, and the bounded read of an answer's body;
// probe_forward.cc judges the answer to a plain-HTTP request (the proxy's own, or the origin's
// relayed) and reads its body.
//
// Deadlines: Beast's tcp_stream `expires_after` for socket phases (it closes the socket and
// completes with beast::error::timeout); dns_lookup.h for DNS (a probe stops waiting
// for a shared lookup at its deadline).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "common/probe/packet_tap.h"
#include "common/probe/probe.h"
#include "common/probe/proxy_answer.h"
#include "common/probe/tls_contexts.h"
#include "common/probe/tls_records.h"
#include "common/probe_result.h"
#include "common/probe_spec.h"

namespace proxywatch::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

// Completion token of every await in the probe: errors come back as values, never thrown.
inline constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// Bytes read from the socket per call; also the flat buffer's ceiling beyond the header.
inline constexpr std::size_t kChunkBytes = 8 * 1024;
// How far past its deadline a phase may be measured and still be ok: a timer and the I/O it
// guards that are both ready at once are run in either order.
inline constexpr std::chrono::milliseconds kOverrunTolerance{50};

// True when `ec` is the peer resetting the connection (RST, or writing into one).
bool is_reset(const error_code& ec);
// True when `ec` is the peer closing the connection (FIN, or TLS without close_notify).
bool is_closed(const error_code& ec);
// What ran out when `ec` is this process running out of descriptors or memory
// (local_errors.h): fail() turns any outcome it is given with such an error into local_error.
std::optional<LocalReason> local_exhaustion(const error_code& ec);

class ProbeSession {
 public:
  // A probe of `spec` on executor `ex`, with the origin's TLS settings from `tls`.
  // `tap`, when given, is told of each connection before its SYN (packet_tap.h).
  ProbeSession(asio::any_io_executor ex, ProbeSpec spec, TlsContexts::ContextPtr tls,
               PacketTap* tap = nullptr)
      : ex_(std::move(ex)),
        spec_(std::move(spec)),
        tls_ctx_(std::move(tls)),
        tap_(tap),
        tcp_(ex_) {}

  // Runs every phase the spec asks for and returns the result with its diagnosis. Call once.
  asio::awaitable<ProbeResult> run();

 private:
  // The state of answering 407s within one probe.
  struct AuthState {
    std::optional<std::string> authorization;  // what the next CONNECT sends
    bool stale_retried = false;
    bool resent_after_close = false;
    bool reuse_expected = false;  // the last 407 promised to keep the connection open

    // A reused connection that the proxy closed before answering gets one more try on a new
    // connection (RFC 9112 §9.3.1: a client may retry on a new connection).
    bool may_resend_after_close(const error_code& ec, bool got_some);
  };

  // probe.cc: reaching the proxy, and the end of the probe.

  // Records the time phase `p` took since `since`.
  void timed(Phase p, Clock::time_point since);
  // The deadline of phase `p` under this spec.
  Millis deadline_of(Phase p) const;
  // Fails an ok probe whose phase was measured past its deadline (see probe.cc).
  void fail_overrun_phase();
  // Records `outcome` in `phase` (and how the peer ended, from `ec`); returns false.
  bool fail(Outcome outcome, Phase phase, const error_code& ec = {});
  // The TCP stream under TLS, or the plain one before the handshake.
  beast::tcp_stream& lowest() { return tls_ ? tls_->next_layer() : tcp_; }
  // Resolves the proxy's name within the dns deadline (phase dns; skipped for an address).
  asio::awaitable<bool> resolve();
  // A fresh socket for one connect attempt to `remote`, with the MSS clamped when the spec
  // asks: TCP_MAXSEG before connect(2) caps the MSS our SYN announces, so the proxy must send
  // small segments (tcp(7); the inbound MTU probe). With a tap, bound to its local port and
  // announced (announce()).
  error_code open_socket(const asio::ip::tcp::endpoint& remote);
  // With a tap: binds `socket` to an ephemeral local port and tells the tap of the connection
  // to `remote` it is about to make. Without one: nothing.
  error_code announce(asio::ip::tcp::socket& socket, const asio::ip::tcp::endpoint& remote);
  // Tries each address in turn until one accepts, all within the one tcp_connect deadline.
  asio::awaitable<bool> connect_tcp();
  // Reads the last TCP_INFO of a connected socket, then shuts it down and closes it.
  void close_socket();

  // probe_connect.cc: the request to the proxy and proxy authentication (exchange_phase()).

  // The phase of the exchange with the proxy: proxy_connect for CONNECT, http_first_byte for a
  // plain-HTTP request (the proxy's answer is the answer's first byte), and its deadline.
  Phase exchange_phase() const;
  Millis exchange_timeout() const;
  // RFC 9110 §9.3.6: CONNECT names the target in authority-form; the proxy resolves it. A
  // plain-HTTP target sends its request in absolute form instead (RFC 9112 §3.2.2). A 407 is
  // answered with credentials (proxy_auth.h) on the same connection when the proxy keeps it
  // open, on a new one when it closes it; every round shares the phase's one deadline.
  asio::awaitable<bool> connect_proxy();
  // The request one round sends: CONNECT, or the plain-HTTP request, with Proxy-Authorization
  // when given.
  http::request<http::empty_body> proxy_request(
      const std::optional<std::string>& authorization) const;
  // Sends one request (with Proxy-Authorization when given) and reads the answer's header
  // into parser_. Returns the error and whether any byte of an answer arrived.
  asio::awaitable<std::pair<error_code, bool>> exchange_connect(
      const std::optional<std::string>& authorization);
  // Records the status, reason, error source and offered schemes of an answer to CONNECT.
  void note_answer(const ProxyAnswer& answer);
  // Decides how to answer a 407: sets auth.authorization and returns true to send another
  // CONNECT, or records the outcome and returns false.
  bool next_authorization(const ProxyAnswer& answer, AuthState& auth);
  // The length of the 407's body when the connection that carried it can carry the next
  // CONNECT: the proxy keeps it open and the body has a length (validated by the parser) small
  // enough to read past. nullopt: open a new connection instead.
  std::optional<std::uint64_t> reusable_body_length() const;
  // Gets the connection ready for the next CONNECT by `deadline`: reads past the 407's body
  // when the connection is reused, or opens a new one (within tcp_connect's own deadline too).
  asio::awaitable<error_code> prepare_next_round(Clock::time_point deadline);
  // Closes the proxy connection and opens a new one to the same address by `deadline`.
  asio::awaitable<error_code> reconnect(Clock::time_point deadline);
  // Records why no answer to CONNECT could be read: stalled, closed or not HTTP. A TLS record
  // in what arrived, or a close without a byte after which the port answers a ClientHello
  // (speaks_tls, within `deadline`), is a port that speaks TLS.
  asio::awaitable<bool> fail_proxy_read(error_code ec, bool got_some, Clock::time_point deadline);
  // fail_proxy_read's verdict for a port that does not speak TLS: stalled, closed or not HTTP.
  bool fail_unanswered(const error_code& ec, bool got_some);
  // Judges an answer other than 407: true when the tunnel is open and clean, else records the
  // outcome (outcome_for_proxy_answer; a 200 that carries a page is proxy_protocol_error; a
  // negative probe's proxy_denied ends the probe as passed) with the page of an error answer,
  // and returns false.
  asio::awaitable<bool> accept_proxy_answer(const http::response_header<>& header);
  // Reads the page that came with the answer in parser_ into result_.answer_page: what already
  // arrived, then, when the header announces a body (a length, chunks, or a Content-Type with
  // a close-delimited body, RFC 9112 §6.3), more until kMaxPageBytes, the body's end, the
  // title's end tag or the stream's deadline (the caller's proxy_connect one). Its time counts
  // in phase proxy_connect.
  asio::awaitable<void> read_answer_page(const http::response_header<>& header);

  // probe_tls_port.cc: whether the proxy's port speaks TLS.

  // Sends one TLS ClientHello on a new connection to the proxy's address and tells whether a
  // TLS record comes back, within `deadline` and at most kTlsPortCheckLimit. For a proxy that
  // closed a plain CONNECT without a byte, as an OpenSSL server does.
  asio::awaitable<bool> speaks_tls(Clock::time_point deadline);

  // probe_origin.cc: TLS and HTTP with the origin, through the tunnel.

  // The TLS handshake with SNI and verification (phase tls_handshake).
  asio::awaitable<bool> handshake_tls();
  // Records the HTTP answer that came where the ServerHello belonged (its first record header
  // in `records`) with the outcome its status names, in phase tls_handshake; returns false.
  bool fail_tunnel_answer(const RecordWatch& records, const error_code& ec);
  // The outbound MTU probe: a ClientHello longer than one full-size segment towards the proxy,
  // sized from the send MSS this connection got.
  bool pad_client_hello();
  // Sends the request and waits for the answer's first byte (phase http_first_byte).
  asio::awaitable<bool> first_byte();
  // Reads the answer inside the tunnel (phase transfer).
  asio::awaitable<bool> transfer();
  // Reads the rest of an answer with `parser` in bounded chunks from the tunnel or, for a
  // plain-HTTP target, the proxy connection, counting body bytes (phase transfer, since
  // `start`): the stall timer, the transfer deadline, max_bytes and http_error_fails.
  asio::awaitable<bool> read_answer(http::response_parser<http::buffer_body>& parser,
                                    Clock::time_point start);
  // Sends close_notify and waits briefly for the peer's, to see whether it ends with a FIN or
  // a RST. Never changes the outcome.
  asio::awaitable<void> close_tls();

  // probe_forward.cc: the answer to a plain-HTTP request.

  // Judges the final answer's header: true when it is the origin's, relayed (its body is read
  // next); else records the proxy's refusal (a negative probe's proxy_denied passes) or
  // tunnel_not_denied, and returns false.
  bool accept_forwarded_answer(const http::response_header<>& header);
  // Reads the origin's body after the header parser_ holds (phase transfer).
  asio::awaitable<bool> forward_transfer();

  asio::any_io_executor ex_;
  ProbeSpec spec_;
  TlsContexts::ContextPtr tls_ctx_;
  PacketTap* tap_ = nullptr;
  ProbeResult result_;
  std::vector<asio::ip::tcp::endpoint> endpoints_;
  asio::ip::tcp::endpoint connected_;
  bool socket_connected_ = false;  // the current socket completed its TCP handshake
  std::optional<http::response_parser<http::empty_body>> parser_;
  beast::tcp_stream tcp_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
  beast::flat_buffer buffer_{kMaxHeaderBytes + kChunkBytes};
  std::array<char, kChunkBytes> chunk_{};
};

}  // namespace proxywatch::detail
