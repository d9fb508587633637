// The exchange with the proxy (probe_session.h): the request (CONNECT, or a plain-HTTP request
// in absolute form), the proxy's answer, and answering its 407s with credentials (proxy_auth.h)
// on the same connection or a new one, all within the phase's one deadline.
#include <algorithm>

#include "common/escape.h"
#include "common/probe/answer_page.h"
#include "common/probe/answer_source.h"
#include "common/probe/auth_challenge.h"
#include "common/probe/probe_session.h"
#include "common/probe/proxy_auth.h"

namespace proxywatch::detail {
namespace {

using asio::ip::tcp;

// CONNECTs one probe may send: the first, one with credentials, one after a stale nonce, and
// one resend on a new connection when the proxy closed a reused one.
constexpr int kMaxConnectRounds = 4;

// Whether a 2xx answer to CONNECT announces a body, i.e. is a page and not a tunnel: RFC 9110
// §9.3.6 forbids Content-Length and Transfer-Encoding on it, so a length above 0 (0 is a
// harmless habit of some proxies), chunks, or text/html with no length at all are a page.
bool connect_page_announced(const http::response_parser<http::empty_body>& parser) {
  auto length = parser.content_length();
  if (length) return *length > 0;
  return parser.chunked() || is_html_type(parser.get()[http::field::content_type]);
}

}  // namespace

Phase ProbeSession::exchange_phase() const {
  return spec_.plain_http() ? Phase::kHttpFirstByte : Phase::kProxyConnect;
}

Millis ProbeSession::exchange_timeout() const {
  return spec_.plain_http() ? spec_.timeouts.http_first_byte : spec_.timeouts.proxy_connect;
}

asio::awaitable<bool> ProbeSession::connect_proxy() {
  auto start = Clock::now();
  auto deadline = start + exchange_timeout();
  AuthState auth;
  for (int round = 0; round < kMaxConnectRounds; ++round) {
    tcp_.expires_at(deadline);
    auto [ec, got_some] = co_await exchange_connect(auth.authorization);
    if (ec && auth.may_resend_after_close(ec, got_some)) {
      // The proxy announced keep-alive but closed anyway: answer it on a new connection.
      ec = co_await reconnect(deadline);
      if (!ec) std::tie(ec, got_some) = co_await exchange_connect(auth.authorization);
    }
    timed(exchange_phase(), start);
    if (ec) co_return co_await fail_proxy_read(ec, got_some, deadline);
    const auto& header = parser_->get();
    // Tinyproxy refuses wrong proxy credentials with 401 rather than another 407. To a
    // plain-HTTP request a 401 may also be the origin's own: only the proxy's counts.
    if (header.result_int() == 401 && auth.authorization &&
        (!spec_.plain_http() || made_by_proxy(401, header))) {
      note_answer(read_proxy_answer(401, header.reason(), header));
      co_return fail(Outcome::kProxyAuthFailed, exchange_phase());
    }
    if (header.result_int() != 407) {
      // Not a conditional expression: g++ 12 miscompiles co_await inside one.
      if (spec_.plain_http()) co_return accept_forwarded_answer(header);
      co_return co_await accept_proxy_answer(header);
    }
    ProxyAnswer answer = read_proxy_answer(407, header.reason(), header);
    note_answer(answer);
    if (!next_authorization(answer, auth)) co_return false;
    error_code reuse_ec = co_await prepare_next_round(deadline);
    timed(exchange_phase(), start);
    if (reuse_ec) co_return co_await fail_proxy_read(reuse_ec, true, deadline);
  }
  co_return fail(Outcome::kProxyAuthFailed, exchange_phase());
}

http::request<http::empty_body> ProbeSession::proxy_request(
    const std::optional<std::string>& authorization) const {
  http::request<http::empty_body> request;
  request.version(11);
  if (spec_.plain_http()) {
    // What libcurl sends for an http:// URL through a proxy: the absolute URI as the target.
    request.method(http::string_to_verb(spec_.request->method));
    request.target(spec_.absolute_uri());
    request.set(http::field::host, spec_.host_header());
    request.set(http::field::accept, "*/*");
  } else {
    std::string authority = spec_.target.to_string();
    request.method(http::verb::connect);
    request.target(authority);
    request.set(http::field::host, authority);
  }
  request.set(http::field::user_agent, spec_.user_agent);
  request.set("Proxy-Connection", "Keep-Alive");
  if (authorization) request.set(http::field::proxy_authorization, *authorization);
  return request;
}

asio::awaitable<std::pair<error_code, bool>> ProbeSession::exchange_connect(
    const std::optional<std::string>& authorization) {
  http::request<http::empty_body> request = proxy_request(authorization);
  auto [write_ec, written] = co_await http::async_write(tcp_, request, kUseTuple);
  if (write_ec) co_return std::pair{write_ec, false};
  // RFC 9112 §6.3: a 2xx answer to CONNECT has no body; other answers' bodies are unread
  // here (prepare_next_round discards a 407's when the connection is reused). The answer to a
  // plain-HTTP GET has its body read by forward_transfer; to a HEAD it has none.
  parser_.emplace();
  parser_->header_limit(kMaxHeaderBytes);
  parser_->skip(!spec_.plain_http() || spec_.request->method == "HEAD");
  auto [ec, n] = co_await http::async_read_header(tcp_, buffer_, *parser_, kUseTuple);
  co_return std::pair{ec, parser_->got_some()};
}

bool ProbeSession::AuthState::may_resend_after_close(const error_code& ec, bool got_some) {
  if (!reuse_expected || resent_after_close || got_some) return false;
  if (!is_closed(ec) && !is_reset(ec)) return false;
  resent_after_close = true;
  return true;
}

void ProbeSession::note_answer(const ProxyAnswer& answer) {
  result_.connect_status = answer.status;
  result_.connect_reason = answer.reason;
  result_.error_source = answer.error_source;
  result_.squid_error = answer.squid_error;
  result_.squid_error_detail = answer.squid_error_detail;
  result_.auth_schemes.clear();
  for (const auto& c : answer.challenges) result_.auth_schemes.push_back(printable(c.scheme, 40));
}

bool ProbeSession::next_authorization(const ProxyAnswer& answer, AuthState& auth) {
  bool unsupported = only_unsupported_schemes(answer.challenges);
  if (!spec_.credentials) {
    return fail(unsupported ? Outcome::kProxyAuthUnsupported : Outcome::kProxyAuthRequired,
                exchange_phase());
  }
  auto chosen = choose_challenge(answer.challenges);
  if (!chosen) return fail(Outcome::kProxyAuthUnsupported, exchange_phase());
  // choose_challenge prefers Digest: Basic chosen means Basic is all there is.
  if (spec_.refuse_basic && chosen->scheme == AuthScheme::kBasic) {
    return fail(Outcome::kProxyAuthInsecure, exchange_phase());
  }
  if (auth.authorization) {
    // Credentials were sent and refused; only a stale nonce earns one more try (RFC 7616
    // §3.3: the credentials were right, the nonce had expired).
    if (!is_stale(chosen->challenge) || auth.stale_retried) {
      result_.auth_stale_loop = is_stale(chosen->challenge) && auth.stale_retried;
      return fail(Outcome::kProxyAuthFailed, exchange_phase());
    }
    auth.stale_retried = true;
    result_.auth_stale_retry = true;
  }
  // RFC 7616 §3.4: `uri` is the request-target: the authority for CONNECT, the absolute URI
  // of a plain-HTTP request.
  if (spec_.plain_http()) {
    auth.authorization =
        authorization_for(*chosen, *spec_.credentials, spec_.request->method, spec_.absolute_uri());
  } else {
    auth.authorization =
        authorization_for(*chosen, *spec_.credentials, "CONNECT", spec_.target.to_string());
  }
  if (!auth.authorization) return fail(Outcome::kProxyAuthUnsupported, exchange_phase());
  result_.auth_scheme = std::string(to_string(chosen->scheme));
  ++result_.auth_attempts;
  auth.reuse_expected = reusable_body_length().has_value();
  return true;
}

std::optional<std::uint64_t> ProbeSession::reusable_body_length() const {
  if (!parser_->keep_alive() || beast::iequals(parser_->get()["Proxy-Connection"], "close")) {
    return std::nullopt;
  }
  auto length = parser_->content_length();
  if (!length || parser_->chunked() || *length > kMaxHeaderBytes) return std::nullopt;
  return *length;
}

asio::awaitable<error_code> ProbeSession::prepare_next_round(Clock::time_point deadline) {
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

asio::awaitable<error_code> ProbeSession::reconnect(Clock::time_point deadline) {
  error_code ignored;
  tcp_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  buffer_.clear();
  ++result_.auth_reconnects;
  // open_socket closes the old socket and keeps an MTU probe's clamped MSS.
  error_code ec = open_socket(connected_);
  if (ec) co_return ec;
  tcp_.expires_at(deadline);
  std::tie(ec) = co_await tcp_.async_connect(connected_, kUseTuple);
  socket_connected_ = !ec;
  if (!ec) tcp_.socket().set_option(tcp::no_delay(true), ignored);
  co_return ec;
}

asio::awaitable<bool> ProbeSession::fail_proxy_read(error_code ec, bool got_some,
                                                    Clock::time_point deadline) {
  if (ec == beast::error::timeout) co_return fail(Outcome::kProxyStalled, exchange_phase(), ec);
  // An HTTPS proxy (or the wrong port): TLS where HTTP belongs (probe_tls_port.cc). Beast's
  // parser leaves the bytes it refused in buffer_. No co_await in a condition (probe.cc: GCC 12).
  std::string_view received(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  bool tls = is_tls_record_header(received);
  if (!got_some && (is_closed(ec) || is_reset(ec))) tls = co_await speaks_tls(deadline);
  result_.proxy_speaks_tls = tls;
  if (tls) co_return fail(Outcome::kProxyProtocolError, exchange_phase(), ec);
  co_return fail_unanswered(ec, got_some);
}

bool ProbeSession::fail_unanswered(const error_code& ec, bool got_some) {
  // Refused: the proxy stopped listening between two rounds of authentication.
  if (ec == asio::error::connection_refused || is_reset(ec) ||
      (is_closed(ec) && (!got_some || ec == http::error::partial_message))) {
    return fail(Outcome::kProxyClosed, exchange_phase(), ec);
  }
  return fail(Outcome::kProxyProtocolError, exchange_phase(), ec);
}

asio::awaitable<bool> ProbeSession::accept_proxy_answer(const http::response_header<>& header) {
  ProxyAnswer answer = read_proxy_answer(header.result_int(), header.reason(), header);
  result_.connect_status = answer.status;
  result_.connect_reason = answer.reason;
  Outcome outcome = outcome_for_proxy_answer(answer);
  if (outcome != Outcome::kOk) {
    note_answer(answer);
    co_await read_answer_page(header);
    if (spec_.expect_denied && outcome == Outcome::kProxyDenied) co_return false;  // passes
    co_return fail(outcome, Phase::kProxyConnect);
  }
  if (connect_page_announced(*parser_)) {
    // A block page or a captive portal: no tunnel opened, so a negative probe does not pass
    // either (it is no ACL refusal we can tell).
    note_answer(answer);
    co_await read_answer_page(header);
    result_.error = "a page instead of a tunnel";
    co_return fail(Outcome::kProxyProtocolError, Phase::kProxyConnect);
  }
  if (spec_.expect_denied) co_return fail(Outcome::kTunnelNotDenied, Phase::kProxyConnect);
  if (buffer_.size() != 0) {
    // A TLS server never speaks first (RFC 8446 §2), so these bytes came from the proxy.
    result_.error = std::to_string(buffer_.size()) + " bytes arrived before the TLS handshake";
    co_return fail(Outcome::kProxyProtocolError, Phase::kProxyConnect);
  }
  co_return true;
}

asio::awaitable<void> ProbeSession::read_answer_page(const http::response_header<>& header) {
  auto start = Clock::now();
  AnswerPage page;
  page.content_type = printable(header[http::field::content_type], 100);
  auto length = parser_->content_length();
  const std::size_t limit = std::min<std::uint64_t>(kMaxPageBytes, length.value_or(kMaxPageBytes));
  std::string body(static_cast<const char*>(buffer_.data().data()),
                   std::min(limit, buffer_.size()));
  buffer_.consume(body.size());
  // Without a length or chunks the body ends with the connection (RFC 9112 §6.3); it is only
  // waited for when a Content-Type says one comes, so a bodiless 403 on a connection the proxy
  // keeps open does not hold the probe until the deadline.
  bool announced = length ? *length > 0 : parser_->chunked() || !page.content_type.empty();
  while (announced && body.size() < limit && !has_title_end(body)) {
    auto [ec, n] = co_await tcp_.async_read_some(asio::buffer(chunk_), kUseTuple);
    body.append(chunk_.data(), std::min(n, limit - body.size()));
    if (ec) break;  // the end, a reset or the deadline: the page is what arrived
  }
  page.bytes = body.size();
  page.title = page_title(body);
  result_.answer_page = std::move(page);
  auto& phase = result_.phases[static_cast<std::size_t>(Phase::kProxyConnect)];
  phase = phase.value_or(Seconds{0}) + (Clock::now() - start);
}

}  // namespace proxywatch::detail
