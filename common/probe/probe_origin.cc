// TLS and HTTP with the origin, through the tunnel the proxy opened (probe_session.h): the
// handshake with SNI and verification (and the padded ClientHello of the outbound MTU probe),
// the request's first byte, the bounded download with its stall timer, and close_notify.
#include <memory>

#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/probe/probe_session.h"
#include "common/probe/tcp_info.h"
#include "common/probe/tls_inspect.h"
#include "common/probe/tls_records.h"
#include "common/probe/tunnel_answer.h"

namespace proxywatch::detail {
namespace {

namespace ssl = asio::ssl;

// A timer that fires this close to the transfer deadline fired for the deadline.
constexpr auto kDeadlineSlack = std::chrono::milliseconds(5);

// True for Beast's refusals of an answer's syntax or size (bad Content-Length, header limit ...),
// false for its reports of a close (end_of_stream, partial_message) and for other errors.
bool is_parse_error(const error_code& ec) {
  if (!ec || ec.category() != http::make_error_code(http::error::bad_version).category()) {
    return false;
  }
  return ec != http::error::end_of_stream && ec != http::error::partial_message &&
         ec != http::error::need_more && ec != http::error::need_buffer;
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

}  // namespace

asio::awaitable<bool> ProbeSession::handshake_tls() {
  auto start = Clock::now();
  tls_.emplace(std::move(tcp_), *tls_ctx_);
  if (spec_.pad_client_hello && !pad_client_hello()) {
    timed(Phase::kTlsHandshake, start);
    result_.error = "the TLS context cannot pad the ClientHello";
    co_return fail(Outcome::kTlsFailed, Phase::kTlsHandshake);
  }
  TlsObserver observer(tls_->native_handle(), spec_.target.host, result_.tls);
  tls_->set_verify_callback(observer.callback());
  RecordWatch records(tls_->native_handle());
  auto deadline = Clock::now() + spec_.timeouts.tls_handshake;
  tls_->next_layer().expires_at(deadline);
  // A stalled handshake is where lost large segments show (the MTU probes): keep its evidence.
  DeadlineSnapshot snapshot(ex_, lowest().socket().native_handle(), deadline);
  auto [ec] = co_await tls_->async_handshake(ssl::stream_base::client, kUseTuple);
  timed(Phase::kTlsHandshake, start);
  observer.finish(ec);
  result_.tls.records_received = records.received();
  if (!ec) co_return true;
  if (ec == beast::error::timeout) {
    result_.tcp_at_end = snapshot.info();
    co_return fail(Outcome::kTlsStalled, Phase::kTlsHandshake, ec);
  }
  if (starts_http_answer(records.first_header())) co_return fail_tunnel_answer(records, ec);
  if (is_reset(ec)) co_return fail(Outcome::kTlsReset, Phase::kTlsHandshake, ec);
  if (!result_.tls.verify_error.empty()) {
    co_return fail(Outcome::kTlsVerifyFailed, Phase::kTlsHandshake, ec);
  }
  co_return fail(Outcome::kTlsFailed, Phase::kTlsHandshake, ec);
}

bool ProbeSession::fail_tunnel_answer(const RecordWatch& records, const error_code& ec) {
  TunnelAnswer answer =
      parse_tunnel_answer(records.received_bytes(kMaxTunnelAnswerBytes)).value_or(TunnelAnswer{});
  // The answer's status names what refused us, as it would have in answer to CONNECT.
  Outcome outcome = answer.status == 403   ? Outcome::kProxyDenied
                    : answer.status == 407 ? Outcome::kProxyAuthRequired
                                           : Outcome::kProxyError;
  result_.tunnel_answer = std::move(answer);
  return fail(outcome, Phase::kTlsHandshake, ec);
}

bool ProbeSession::pad_client_hello() {
  std::uint32_t mss = result_.tcp_after_connect ? result_.tcp_after_connect->snd_mss : 0;
  return set_client_hello_padding(tls_->native_handle(), client_hello_pad_bytes(mss));
}

asio::awaitable<bool> ProbeSession::first_byte() {
  auto start = Clock::now();
  const HttpRequestSpec& spec = *spec_.request;
  http::request<http::empty_body> request{http::string_to_verb(spec.method), spec.path, 11};
  request.set(http::field::host, spec_.host_header());
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

asio::awaitable<bool> ProbeSession::transfer() {
  auto start = Clock::now();
  http::response_parser<http::buffer_body> parser;
  parser.header_limit(kMaxHeaderBytes);
  parser.body_limit(boost::none);
  if (spec_.request->method == "HEAD") parser.skip(true);
  co_return co_await read_answer(parser, start);
}

asio::awaitable<bool> ProbeSession::read_answer(http::response_parser<http::buffer_body>& parser,
                                                Clock::time_point start) {
  auto deadline = start + spec_.timeouts.transfer;
  error_code ec;
  // The head is read even with max_bytes 0: the answer's status and syntax decide the probe.
  while (!ec && !parser.is_done() &&
         (!parser.is_header_done() || result_.bytes < spec_.max_bytes)) {
    parser.get().body().data = chunk_.data();
    parser.get().body().size = chunk_.size();
    // The stall timer restarts with every read that brings bytes (DESIGN.md: no byte for
    // stall_timeout); the transfer deadline bounds the phase as a whole.
    lowest().expires_at(std::min(Clock::now() + spec_.timeouts.stall, deadline));
    size_t n = 0;
    if (tls_) {
      std::tie(ec, n) = co_await http::async_read_some(*tls_, buffer_, parser, kUseTuple);
    } else {
      std::tie(ec, n) = co_await http::async_read_some(tcp_, buffer_, parser, kUseTuple);
    }
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

asio::awaitable<void> ProbeSession::close_tls() {
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

}  // namespace proxywatch::detail
