// The probe engine. Each phase is a coroutine step that either completes (returns true) or
// records the outcome and phase it failed in (returns false). Deadlines: Beast's tcp_stream
// `expires_after` for socket phases (it closes the socket and completes with
// beast::error::timeout); dns_lookup.h for DNS, which cannot be cancelled.
#include "common/probe/probe.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <memory>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "common/probe/diagnosis.h"
#include "common/probe/dns_lookup.h"
#include "common/probe/proxy_answer.h"
#include "common/probe/proxy_auth.h"
#include "common/probe/tcp_info.h"
#include "common/probe/tls_inspect.h"

namespace proxywatch {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// A timer that fires this close to the transfer deadline fired for the deadline.
constexpr auto kDeadlineSlack = std::chrono::milliseconds(5);
// Bytes read from the socket per call; also the flat buffer's ceiling beyond the header.
constexpr size_t kChunkBytes = 8 * 1024;
// CONNECTs one probe may send: the first, one with credentials, one after a stale nonce, and
// one resend on a new connection when the proxy closed a reused one.
constexpr int kMaxConnectRounds = 4;

// True for Beast's refusals of an answer's syntax or size (bad Content-Length, header limit ...),
// false for its reports of a close (end_of_stream, partial_message) and for other errors.
bool is_parse_error(const error_code& ec) {
  if (!ec || ec.category() != http::make_error_code(http::error::bad_version).category()) {
    return false;
  }
  return ec != http::error::end_of_stream && ec != http::error::partial_message &&
         ec != http::error::need_more && ec != http::error::need_buffer;
}

bool is_reset(const error_code& ec) {
  return ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
}

bool is_closed(const error_code& ec) {
  return ec == asio::error::eof || ec == http::error::end_of_stream ||
         ec == http::error::partial_message || ec == ssl::error::stream_truncated;
}

// TCP_INFO of socket `fd` taken kLead before `deadline`: Beast's expiry closes the socket at
// the deadline and its evidence (retransmits, MSS) with it. The snapshot lives in shared state
// because the timer's handler may run after this object is gone; a cancelled timer reads
// nothing.
class DeadlineSnapshot {
 public:
  static constexpr auto kLead = std::chrono::milliseconds(1);

  DeadlineSnapshot(const asio::any_io_executor& ex, int fd, Clock::time_point deadline)
      : timer_(ex, deadline - kLead) {
    timer_.async_wait([info = info_, fd](const error_code& ec) {
      if (!ec) *info = read_tcp_info(fd);
    });
  }

  // The snapshot, or nullopt when the deadline was not reached.
  const std::optional<TcpInfo>& info() const { return *info_; }

 private:
  std::shared_ptr<std::optional<TcpInfo>> info_ = std::make_shared<std::optional<TcpInfo>>();
  asio::steady_timer timer_;
};

class Probe {
 public:
  Probe(asio::any_io_executor ex, ProbeSpec spec, TlsContexts::ContextPtr tls)
      : ex_(std::move(ex)), spec_(std::move(spec)), tls_ctx_(std::move(tls)), tcp_(ex_) {}

  asio::awaitable<ProbeResult> run() {
    result_.started = std::chrono::system_clock::now();
    auto start = Clock::now();
    // Sequential statements rather than one && chain: g++ 12 miscompiles co_await inside
    // short-circuit conditions.
    bool ok = co_await resolve();
    if (ok) ok = co_await connect_tcp();
    if (ok) ok = co_await connect_proxy();
    if (ok) ok = co_await handshake_tls();
    if (ok && spec_.request) ok = co_await first_byte();
    if (ok && spec_.request) ok = co_await transfer();
    if (ok) co_await close_tls();
    close_socket();
    result_.total = Clock::now() - start;
    result_.diagnosis = diagnose(result_, spec_);
    co_return std::move(result_);
  }

 private:
  // Records the time phase `p` took since `since`.
  void timed(Phase p, Clock::time_point since) {
    result_.phases[static_cast<size_t>(p)] = Clock::now() - since;
  }

  bool fail(Outcome outcome, Phase phase, const error_code& ec = {}) {
    result_.outcome = outcome;
    result_.phase = phase;
    if (ec) result_.error = ec.message();
    if (is_reset(ec)) result_.peer_close = PeerClose::kRst;
    if (is_closed(ec)) result_.peer_close = PeerClose::kFin;
    return false;
  }

  beast::tcp_stream& lowest() { return tls_ ? tls_->next_layer() : tcp_; }

  asio::awaitable<bool> resolve() {
    const HostPort& proxy = spec_.proxy;
    if (is_ip_literal(proxy.host)) {
      endpoints_.emplace_back(asio::ip::make_address(proxy.host), proxy.port);
      co_return true;
    }
    auto start = Clock::now();
    DnsAnswer answer = co_await resolve_with_deadline(proxy.host, proxy.port, spec_.timeouts.dns);
    timed(Phase::kDns, start);
    if (answer.error) co_return fail(Outcome::kDnsFailed, Phase::kDns, answer.error);
    endpoints_ = std::move(answer.endpoints);
    co_return true;
  }

  // A fresh socket for one connect attempt, with the MSS clamped when the spec asks: TCP_MAXSEG
  // before connect(2) caps the MSS our SYN announces, so the proxy must send small segments
  // (tcp(7); the inbound MTU probe).
  error_code open_socket(const tcp& protocol) {
    error_code ec;
    socket_connected_ = false;
    tcp_.socket().close(ec);
    tcp_.socket().open(protocol, ec);
    if (ec || !spec_.clamp_mss) return ec;
    int mss = static_cast<int>(*spec_.clamp_mss);
    if (setsockopt(tcp_.socket().native_handle(), IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof mss) != 0) {
      ec.assign(errno, boost::system::system_category());
    }
    return ec;
  }

  // Tries each address in turn until one accepts, all within the one tcp_connect deadline.
  asio::awaitable<bool> connect_tcp() {
    auto start = Clock::now();
    auto deadline = start + spec_.timeouts.tcp_connect;
    error_code ec = asio::error::host_not_found;
    for (const auto& endpoint : endpoints_) {
      tcp_.expires_at(deadline);
      ec = open_socket(endpoint.protocol());
      if (ec) break;
      std::tie(ec) = co_await tcp_.async_connect(endpoint, kUseTuple);
      if (!ec) {
        connected_ = endpoint;
        socket_connected_ = true;
        result_.proxy_address =
            endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
        break;
      }
      if (ec == beast::error::timeout) break;
    }
    timed(Phase::kTcpConnect, start);
    if (ec == beast::error::timeout) co_return fail(Outcome::kTcpTimeout, Phase::kTcpConnect, ec);
    if (ec) co_return fail(Outcome::kTcpRefused, Phase::kTcpConnect, ec);
    tcp_.socket().set_option(tcp::no_delay(true), ec);
    result_.tcp_after_connect = read_tcp_info(tcp_.socket().native_handle());
    co_return true;
  }

  // RFC 9110 §9.3.6: CONNECT names the target in authority-form; the proxy resolves it. A 407
  // is answered with credentials (proxy_auth.h) on the same connection when the proxy keeps it
  // open, on a new one when it closes it; every round shares the phase's one deadline.
  asio::awaitable<bool> connect_proxy() {
    auto start = Clock::now();
    auto deadline = start + spec_.timeouts.proxy_connect;
    AuthState auth;
    for (int round = 0; round < kMaxConnectRounds; ++round) {
      tcp_.expires_at(deadline);
      auto [ec, got_some] = co_await exchange_connect(auth.authorization);
      if (ec && auth.may_resend_after_close(ec, got_some)) {
        // The proxy announced keep-alive but closed anyway: answer it on a new connection.
        ec = co_await reconnect(deadline);
        if (!ec) std::tie(ec, got_some) = co_await exchange_connect(auth.authorization);
      }
      timed(Phase::kProxyConnect, start);
      if (ec) co_return fail_proxy_read(ec, got_some);
      const auto& header = parser_->get();
      if (header.result_int() == 401 && auth.authorization) {
        // Tinyproxy refuses wrong proxy credentials with 401 rather than another 407.
        note_answer(read_proxy_answer(401, header.reason(), header));
        co_return fail(Outcome::kProxyAuthFailed, Phase::kProxyConnect);
      }
      if (header.result_int() != 407) co_return accept_proxy_answer(header);
      ProxyAnswer answer = read_proxy_answer(407, header.reason(), header);
      note_answer(answer);
      if (!next_authorization(answer, auth)) co_return false;
      error_code reuse_ec = co_await prepare_next_round(deadline);
      timed(Phase::kProxyConnect, start);
      if (reuse_ec) co_return fail_proxy_read(reuse_ec, true);
    }
    co_return fail(Outcome::kProxyAuthFailed, Phase::kProxyConnect);
  }

  // Sends one CONNECT (with Proxy-Authorization when given) and reads the answer's header
  // into parser_. Returns the error and whether any byte of an answer arrived.
  asio::awaitable<std::pair<error_code, bool>> exchange_connect(
      const std::optional<std::string>& authorization) {
    std::string authority = spec_.target.to_string();
    http::request<http::empty_body> request{http::verb::connect, authority, 11};
    request.set(http::field::host, authority);
    request.set(http::field::user_agent, spec_.user_agent);
    request.set("Proxy-Connection", "Keep-Alive");
    if (authorization) request.set(http::field::proxy_authorization, *authorization);
    auto [write_ec, written] = co_await http::async_write(tcp_, request, kUseTuple);
    if (write_ec) co_return std::pair{write_ec, false};
    // RFC 9112 §6.3: a 2xx answer to CONNECT has no body; other answers' bodies are unread
    // here (prepare_next_round discards a 407's when the connection is reused).
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    parser_->skip(true);
    auto [ec, n] = co_await http::async_read_header(tcp_, buffer_, *parser_, kUseTuple);
    co_return std::pair{ec, parser_->got_some()};
  }

  // The state of answering 407s within one probe.
  struct AuthState {
    std::optional<std::string> authorization;  // what the next CONNECT sends
    bool stale_retried = false;
    bool resent_after_close = false;
    bool reuse_expected = false;  // the last 407 promised to keep the connection open

    // A reused connection that the proxy closed before answering gets one more try on a new
    // connection (RFC 9112 §9.3.1: a client may retry on a new connection).
    bool may_resend_after_close(const error_code& ec, bool got_some) {
      if (!reuse_expected || resent_after_close || got_some) return false;
      if (!is_closed(ec) && !is_reset(ec)) return false;
      resent_after_close = true;
      return true;
    }
  };

  void note_answer(const ProxyAnswer& answer) {
    result_.connect_status = answer.status;
    result_.connect_reason = answer.reason;
    result_.error_source = answer.error_source;
    result_.auth_schemes.clear();
    for (const auto& c : answer.challenges) result_.auth_schemes.push_back(printable(c.scheme, 40));
  }

  // Decides how to answer a 407: sets auth.authorization and returns true to send another
  // CONNECT, or records the outcome and returns false.
  bool next_authorization(const ProxyAnswer& answer, AuthState& auth) {
    bool unsupported = only_unsupported_schemes(answer.challenges);
    if (!spec_.credentials) {
      return fail(unsupported ? Outcome::kProxyAuthUnsupported : Outcome::kProxyAuthRequired,
                  Phase::kProxyConnect);
    }
    auto chosen = choose_challenge(answer.challenges);
    if (!chosen) return fail(Outcome::kProxyAuthUnsupported, Phase::kProxyConnect);
    // choose_challenge prefers Digest: Basic chosen means Basic is all there is.
    if (spec_.refuse_basic && chosen->scheme == AuthScheme::kBasic) {
      return fail(Outcome::kProxyAuthInsecure, Phase::kProxyConnect);
    }
    if (auth.authorization) {
      // Credentials were sent and refused; only a stale nonce earns one more try (RFC 7616
      // §3.3: the credentials were right, the nonce had expired).
      if (!is_stale(chosen->challenge) || auth.stale_retried) {
        return fail(Outcome::kProxyAuthFailed, Phase::kProxyConnect);
      }
      auth.stale_retried = true;
      result_.auth_stale_retry = true;
    }
    auth.authorization = authorization_for(*chosen, *spec_.credentials, spec_.target.to_string());
    if (!auth.authorization) return fail(Outcome::kProxyAuthUnsupported, Phase::kProxyConnect);
    result_.auth_scheme = std::string(to_string(chosen->scheme));
    ++result_.auth_attempts;
    auth.reuse_expected = reusable_body_length().has_value();
    return true;
  }

  // The length of the 407's body when the connection that carried it can carry the next
  // CONNECT: the proxy keeps it open and the body has a length (validated by the parser) small
  // enough to read past. nullopt: open a new connection instead.
  std::optional<std::uint64_t> reusable_body_length() const {
    if (!parser_->keep_alive() || beast::iequals(parser_->get()["Proxy-Connection"], "close")) {
      return std::nullopt;
    }
    auto length = parser_->content_length();
    if (!length || parser_->chunked() || *length > kMaxHeaderBytes) return std::nullopt;
    return *length;
  }

  // Gets the connection ready for the next CONNECT by `deadline`: reads past the 407's body
  // when the connection is reused, or opens a new one (within tcp_connect's own deadline too).
  asio::awaitable<error_code> prepare_next_round(Clock::time_point deadline) {
    auto length = reusable_body_length();
    if (!length) {
      co_return co_await reconnect(std::min(deadline, Clock::now() + spec_.timeouts.tcp_connect));
    }
    std::uint64_t remaining = *length;
    auto from_buffer = std::min<std::uint64_t>(remaining, buffer_.size());
    buffer_.consume(from_buffer);
    remaining -= from_buffer;
    while (remaining > 0) {
      auto [ec, n] = co_await tcp_.async_read_some(asio::buffer(chunk_), kUseTuple);
      if (ec) co_return ec;
      remaining -= std::min<std::uint64_t>(remaining, n);
    }
    co_return error_code{};
  }

  // Closes the proxy connection and opens a new one to the same address by `deadline`.
  asio::awaitable<error_code> reconnect(Clock::time_point deadline) {
    error_code ignored;
    tcp_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    buffer_.clear();
    ++result_.auth_reconnects;
    // open_socket closes the old socket and keeps an MTU probe's clamped MSS.
    error_code ec = open_socket(connected_.protocol());
    if (ec) co_return ec;
    tcp_.expires_at(deadline);
    std::tie(ec) = co_await tcp_.async_connect(connected_, kUseTuple);
    socket_connected_ = !ec;
    if (!ec) tcp_.socket().set_option(tcp::no_delay(true), ignored);
    co_return ec;
  }

  bool fail_proxy_read(const error_code& ec, bool got_some) {
    if (ec == beast::error::timeout) return fail(Outcome::kProxyStalled, Phase::kProxyConnect, ec);
    // Refused: the proxy stopped listening between two rounds of authentication.
    if (ec == asio::error::connection_refused || is_reset(ec) ||
        (is_closed(ec) && (!got_some || ec == http::error::partial_message))) {
      return fail(Outcome::kProxyClosed, Phase::kProxyConnect, ec);
    }
    return fail(Outcome::kProxyProtocolError, Phase::kProxyConnect, ec);
  }

  bool accept_proxy_answer(const http::response_header<>& header) {
    ProxyAnswer answer = read_proxy_answer(header.result_int(), header.reason(), header);
    result_.connect_status = answer.status;
    result_.connect_reason = answer.reason;
    Outcome outcome = outcome_for_connect_status(answer.status);
    if (outcome != Outcome::kOk) {
      note_answer(answer);
      if (spec_.expect_denied && outcome == Outcome::kProxyDenied) return false;  // passes
      return fail(outcome, Phase::kProxyConnect);
    }
    if (spec_.expect_denied) return fail(Outcome::kTunnelNotDenied, Phase::kProxyConnect);
    if (buffer_.size() != 0) {
      // A TLS server never speaks first (RFC 8446 §2), so these bytes came from the proxy.
      result_.error = std::to_string(buffer_.size()) + " bytes arrived before the TLS handshake";
      return fail(Outcome::kProxyProtocolError, Phase::kProxyConnect);
    }
    return true;
  }

  asio::awaitable<bool> handshake_tls() {
    auto start = Clock::now();
    tls_.emplace(std::move(tcp_), *tls_ctx_);
    if (spec_.pad_client_hello && !pad_client_hello()) {
      timed(Phase::kTlsHandshake, start);
      result_.error = "the TLS context cannot pad the ClientHello";
      co_return fail(Outcome::kTlsFailed, Phase::kTlsHandshake);
    }
    TlsObserver observer(tls_->native_handle(), spec_.target.host, result_.tls);
    tls_->set_verify_callback(observer.callback());
    auto deadline = Clock::now() + spec_.timeouts.tls_handshake;
    tls_->next_layer().expires_at(deadline);
    // A stalled handshake is where lost large segments show (the MTU probes): keep its evidence.
    DeadlineSnapshot snapshot(ex_, lowest().socket().native_handle(), deadline);
    auto [ec] = co_await tls_->async_handshake(ssl::stream_base::client, kUseTuple);
    timed(Phase::kTlsHandshake, start);
    observer.finish(ec);
    if (!ec) co_return true;
    if (ec == beast::error::timeout) {
      result_.tcp_at_end = snapshot.info();
      co_return fail(Outcome::kTlsStalled, Phase::kTlsHandshake, ec);
    }
    if (is_reset(ec)) co_return fail(Outcome::kTlsReset, Phase::kTlsHandshake, ec);
    if (!result_.tls.verify_error.empty()) {
      co_return fail(Outcome::kTlsVerifyFailed, Phase::kTlsHandshake, ec);
    }
    co_return fail(Outcome::kTlsFailed, Phase::kTlsHandshake, ec);
  }

  // The outbound MTU probe: a ClientHello longer than one full-size segment towards the proxy,
  // sized from the send MSS this connection got.
  bool pad_client_hello() {
    std::uint32_t mss = result_.tcp_after_connect ? result_.tcp_after_connect->snd_mss : 0;
    return set_client_hello_padding(tls_->native_handle(), client_hello_pad_bytes(mss));
  }

  // Sends the request and waits for the answer's first byte (phase http_first_byte).
  asio::awaitable<bool> first_byte() {
    auto start = Clock::now();
    const HttpRequestSpec& spec = *spec_.request;
    http::request<http::empty_body> request{http::string_to_verb(spec.method), spec.path, 11};
    request.set(http::field::host,
                spec_.target.port == 443 ? spec_.target.host : spec_.target.to_string());
    request.set(http::field::user_agent, spec_.user_agent);
    request.set(http::field::connection, "close");
    tls_->next_layer().expires_after(spec_.timeouts.http_first_byte);
    auto [write_ec, written] = co_await http::async_write(*tls_, request, kUseTuple);
    error_code ec = write_ec;
    if (!ec) {
      size_t n = 0;
      std::tie(ec, n) = co_await tls_->async_read_some(buffer_.prepare(kChunkBytes), kUseTuple);
      buffer_.commit(n);
    }
    timed(Phase::kHttpFirstByte, start);
    if (!ec) co_return true;
    if (ec == beast::error::timeout) {
      co_return fail(Outcome::kHttpStalled, Phase::kHttpFirstByte, ec);
    }
    co_return fail(Outcome::kHttpIncomplete, Phase::kHttpFirstByte, ec);
  }

  // Reads the rest of the answer in bounded chunks, counting body bytes (phase transfer).
  asio::awaitable<bool> transfer() {
    auto start = Clock::now();
    auto deadline = start + spec_.timeouts.transfer;
    http::response_parser<http::buffer_body> parser;
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(boost::none);
    if (spec_.request->method == "HEAD") parser.skip(true);
    error_code ec;
    // The head is read even with max_bytes 0: the answer's status and syntax decide the probe.
    while (!ec && !parser.is_done() &&
           (!parser.is_header_done() || result_.bytes < spec_.max_bytes)) {
      parser.get().body().data = chunk_.data();
      parser.get().body().size = chunk_.size();
      // The stall timer restarts with every read that brings bytes (DESIGN.md: no byte for
      // stall_timeout); the transfer deadline bounds the phase as a whole.
      tls_->next_layer().expires_at(std::min(Clock::now() + spec_.timeouts.stall, deadline));
      size_t n = 0;
      std::tie(ec, n) = co_await http::async_read_some(*tls_, buffer_, parser, kUseTuple);
      if (ec == http::error::need_buffer) ec = {};
      // An EOF-delimited body may end without close_notify; that ends the body, not an error.
      if (ec == ssl::error::stream_truncated && parser.is_header_done() && parser.need_eof()) {
        parser.put_eof(ec);
      }
      result_.bytes += chunk_.size() - parser.get().body().size;
      if (parser.is_header_done()) {
        result_.http_status = parser.get().result_int();
        if (auto length = parser.content_length()) result_.content_length = *length;
      }
    }
    timed(Phase::kTransfer, start);
    Seconds took = Clock::now() - start;
    if (took.count() > 0)
      result_.throughput_bytes_per_s = static_cast<double>(result_.bytes) / took.count();
    if (ec == beast::error::timeout) {
      // The stall timer and the phase deadline share one expiry: which of them ran out?
      result_.transfer_deadline_reached = Clock::now() + kDeadlineSlack >= deadline;
      co_return fail(Outcome::kHttpStalled, Phase::kTransfer, ec);
    }
    result_.answer_malformed = is_parse_error(ec);
    // Closed, reset, or an answer the parser refused: the download did not arrive whole.
    if (ec) co_return fail(Outcome::kHttpIncomplete, Phase::kTransfer, ec);
    if (spec_.http_error_fails && result_.http_status >= 400) {
      co_return fail(Outcome::kHttpError, Phase::kTransfer);
    }
    co_return true;
  }

  // Sends close_notify and waits briefly for the peer's, to see whether it ends with a FIN or
  // a RST. Never changes the outcome.
  asio::awaitable<void> close_tls() {
    auto start = Clock::now();
    result_.tcp_at_end = read_tcp_info(lowest().socket().native_handle());
    lowest().expires_after(spec_.timeouts.close);
    auto [ec] = co_await tls_->async_shutdown(kUseTuple);
    if (!ec || is_closed(ec) || ec == ssl::error::stream_truncated) {
      result_.peer_close = PeerClose::kFin;
    } else if (is_reset(ec)) {
      result_.peer_close = PeerClose::kRst;
    }
    result_.close_duration = Clock::now() - start;
  }

  void close_socket() {
    auto& socket = lowest().socket();
    if (!socket.is_open()) return;
    // A socket that never connected (refused, timed out) has a fresh socket's TCP_INFO (rtt 0,
    // default MSS, rttvar 250 ms): no evidence about the path, so it is not read.
    if (!result_.tcp_at_end && socket_connected_) {
      result_.tcp_at_end = read_tcp_info(socket.native_handle());
    }
    error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  asio::any_io_executor ex_;
  ProbeSpec spec_;
  TlsContexts::ContextPtr tls_ctx_;
  ProbeResult result_;
  std::vector<tcp::endpoint> endpoints_;
  tcp::endpoint connected_;
  bool socket_connected_ = false;  // the current socket completed its TCP handshake
  std::optional<http::response_parser<http::empty_body>> parser_;
  beast::tcp_stream tcp_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
  beast::flat_buffer buffer_{kMaxHeaderBytes + kChunkBytes};
  std::array<char, kChunkBytes> chunk_{};
};

}  // namespace

asio::awaitable<ProbeResult> run_probe(ProbeSpec spec, TlsContexts::ContextPtr tls) {
  Probe probe(co_await asio::this_coro::executor, std::move(spec), std::move(tls));
  co_return co_await probe.run();
}

}  // namespace proxywatch
