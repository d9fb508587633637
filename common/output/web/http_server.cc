// HttpServer: an accept loop and one coroutine per connection, both holding the shared state so
// that stop() and the destructor never leave a coroutine with a dangling server. Each session
// records its stage, so that a full listener can evict an idle connection for a new one: idle or
// slow clients cannot starve a scrape (what a request may be refused for is
// http_server_guards.cc). Every socket operation returns its error through as_tuple; a failing
// session ends, the server goes on.
#include "common/output/web/http_server.h"

#include "common/output/web/gzip.h"
#include "common/output/web/http_server_state.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <string_view>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/optional.hpp>

namespace proxywatch {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;
using detail::BeastResponse;
using detail::evict_one;
using detail::HeldBody;
using detail::HttpServerState;
using detail::HttpSession;
using detail::may_hold;
using detail::plain;
using detail::refusal;
using detail::Request;
using detail::retry_later;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// After the last answer of a connection we read (and discard) what the client still sends for
// at most this long, so that closing does not reset the connection under the answer.
constexpr std::chrono::seconds kLingerTimeout{1};
constexpr std::size_t kLingerMaxBytes = 64 * 1024;
// Pause after a failed accept (e.g. EMFILE) instead of spinning on the error.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

// `response` for Beast. `accept_encoding`: the request's, for a response that may be gzipped.
BeastResponse to_beast(HttpResponse response, unsigned version, bool keep_alive, bool head,
                       std::string_view accept_encoding = {}) {
  BeastResponse out;
  out.version(version);
  out.result(response.status);
  out.set(http::field::server, "proxywatch");
  out.set(http::field::content_type, response.content_type);
  // RFC 9110 §15.5.6: a 405 must list the methods the resource supports.
  if (response.status == 405) out.set(http::field::allow, "GET, HEAD");
  // RFC 9110 §11.6.1: a 401 names the scheme to use; RFC 7617 §2.1 the charset of credentials.
  if (response.status == 401) {
    out.set(http::field::www_authenticate, "Basic realm=\"proxywatch\", charset=\"UTF-8\"");
  }
  if (response.retry_after > 0)
    out.set(http::field::retry_after, std::to_string(response.retry_after));
  out.keep_alive(keep_alive);
  std::shared_ptr<const std::string> body = std::move(response.shared_body);
  if (response.render) {
    const bool gzip = accepts_gzip(accept_encoding);
    body = std::make_shared<const std::string>(response.render(gzip));
    out.set(http::field::vary, "Accept-Encoding");  // RFC 9110 §12.5.5: for caches
    if (gzip) out.set(http::field::content_encoding, "gzip");
  }
  if (!body) body = std::make_shared<const std::string>(std::move(response.body));
  // A HEAD answer carries the length the GET body would have, and no body (RFC 9110 §9.3.2).
  out.content_length(body->size());
  if (!head) out.body() = std::move(body);
  return out;
}

// The path of a request-target: origin-form as it is; absolute-form ("http://host/metrics"),
// which RFC 9112 §3.2.2 says a server must accept, without its scheme and authority. The query
// is cut off.
std::string_view target_path(std::string_view target) {
  target = target.substr(0, target.find('?'));
  auto scheme_end = target.find("://");
  if (target.starts_with('/') || scheme_end == std::string_view::npos) return target;
  auto path = target.find('/', scheme_end + 3);
  return path == std::string_view::npos ? std::string_view("/") : target.substr(path);
}

// The handler of the folder `path` lies in ("/captures/" for "/captures/a.pcap"), or end().
HttpServer::Handlers::const_iterator prefix_handler(const HttpServer::Handlers& handlers,
                                                    std::string_view path) {
  auto slash = path.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return handlers.end();
  return handlers.find(path.substr(0, slash + 1));
}

// The answer to an authorized request whose headers parsed and that has no body;
// `authenticated`: it came with a user's right password.
HttpResponse dispatch(const HttpServer::Handlers& handlers, const Request& request,
                      bool authenticated) {
  const std::string_view path = target_path(request.target());
  auto handler = handlers.find(path);
  if (handler == handlers.end()) handler = prefix_handler(handlers, path);
  if (handler == handlers.end()) return plain(404, "not found");
  if (request.method() != http::verb::get && request.method() != http::verb::head)
    return plain(405, "method not allowed");
  HttpQuery query(request.target());
  query.set_authenticated(authenticated);
  try {
    return handler->second(query);
  } catch (const std::exception& e) {
    // A throwing handler is a bug; the connection and the server go on.
    return plain(500, std::string("internal error: ") + e.what());
  }
}

// The answer to a request header that did not parse, or none when the connection just ended.
std::optional<HttpResponse> answer_to_read_error(const error_code& ec) {
  if (ec == http::error::header_limit) return plain(431, "request header fields too large");
  if (ec == http::error::end_of_stream || ec == beast::error::timeout) return std::nullopt;
  if (ec.category() == http::make_error_code(http::error::bad_method).category())
    return plain(400, "bad request");
  return std::nullopt;
}

using StatePtr = std::shared_ptr<HttpServerState>;
using Session = std::list<HttpSession>::iterator;
using Stage = HttpSession::Stage;

// Removes a session from the list when its coroutine ends or is destroyed.
struct SessionGuard {
  HttpServerState& state;
  Session session;
  ~SessionGuard() {
    if (session->evicted) --state.evicted;
    state.sessions.erase(session);
  }
};

void set_stage(HttpSession& session, Stage stage) {
  session.stage = stage;
  session.since = std::chrono::steady_clock::now();
}

// Waits for the first byte of the next request on `stream` (the session's connection, or TLS
// over it), for at most idle_timeout: a connection that sends nothing is closed soon instead of
// holding a place for the whole read timeout.
template <class Stream>
asio::awaitable<bool> await_request_start(HttpServerState& state, HttpSession& session,
                                          Stream& stream, beast::flat_buffer& buffer) {
  if (buffer.size() > 0) co_return true;
  set_stage(session, Stage::kWaiting);
  session.stream.expires_after(state.limits.idle_timeout);
  auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), kUseTuple);
  buffer.commit(n);
  co_return !ec && n > 0;
}

// Half-closes, then reads what the client still sends until it closes or kLingerTimeout passes
// (RFC 9112 §9.6), so that unread request bytes do not turn our close into an RST.
asio::awaitable<void> linger_and_close(beast::tcp_stream& stream) {
  error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream.expires_after(kLingerTimeout);
  std::array<char, 4096> discard;
  for (std::size_t total = 0; total < kLingerMaxBytes;) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(discard), kUseTuple);
    if (ec) break;
    total += n;
  }
  stream.close();
}

// Reads one request from `stream` (the session's connection, or TLS over it) and writes its
// answer; returns whether the connection may carry another. Parameters by reference, unlike our
// other coroutines: run_session owns them and awaits this directly, so they outlive it.
template <class Stream>
asio::awaitable<bool> serve_one(HttpServerState& state, HttpSession& session, Stream& stream,
                                beast::flat_buffer& buffer) {
  if (!co_await await_request_start(state, session, stream, buffer) || state.stopped) {
    co_return false;
  }
  set_stage(session, Stage::kReading);
  beast::tcp_stream& tcp = session.stream;
  http::request_parser<http::empty_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(state.limits.header_limit));
  tcp.expires_after(state.limits.read_timeout);
  auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, kUseTuple);
  if (state.stopped || session.evicted) co_return false;
  set_stage(session, Stage::kAnswering);
  BeastResponse response;
  if (ec) {
    std::optional<HttpResponse> error = answer_to_read_error(ec);
    if (!error) co_return false;
    response = to_beast(std::move(*error), 11, false, false);
  } else {
    const Request& request = parser.get();
    const bool has_body = parser.chunked() || parser.content_length().value_or(0) > 0;
    const bool head = request.method() == http::verb::head;
    // A body we do not read would be parsed as the next request, so 413 ends the connection.
    if (has_body) {
      response =
          to_beast(plain(413, "request bodies are not accepted"), request.version(), false, head);
    } else {
      detail::Refusal refused = co_await refusal(state, session, request);
      if (state.stopped || session.evicted) co_return false;
      response = to_beast(refused.answer ? std::move(*refused.answer)
                                         : dispatch(state.handlers, request, refused.authenticated),
                          request.version(), request.keep_alive(), head,
                          request[http::field::accept_encoding]);
    }
    if (!may_hold(state, response.body())) {
      ++state.stats->busy;
      response = to_beast(
          retry_later(503, "busy writing other answers: try again later", std::chrono::seconds(1)),
          request.version(), request.keep_alive(), head);
    }
  }
  HeldBody held(state, response.body());
  tcp.expires_after(state.limits.read_timeout);
  auto [write_ec, written] = co_await http::async_write(stream, response, kUseTuple);
  co_return !write_ec && response.keep_alive() && !state.stopped;
}

// TLS first: a client that does not complete the handshake (plain HTTP, a port scan) gets no
// answer; one that sends nothing has idle_timeout to start it. At the end close_notify, then
// the connection closes.
asio::awaitable<void> run_tls_session(HttpServerState& state, HttpSession& session) {
  beast::tcp_stream& tcp = session.stream;
  asio::ssl::stream<beast::tcp_stream&> tls(tcp, *session.tls);
  tcp.expires_after(state.limits.idle_timeout);
  auto [ec] = co_await tls.async_handshake(asio::ssl::stream_base::server, kUseTuple);
  if (ec || state.stopped || session.evicted) co_return;
  beast::flat_buffer buffer;
  bool more = true;
  while (more) more = co_await serve_one(state, session, tls, buffer);
  if (state.stopped || session.evicted || !tcp.socket().is_open()) co_return;
  set_stage(session, Stage::kLingering);
  tcp.expires_after(kLingerTimeout);
  co_await tls.async_shutdown(kUseTuple);
  tcp.close();
}

asio::awaitable<void> run_session(StatePtr state, Session session) {
  SessionGuard guard{*state, session};
  if (state->stopped) co_return;
  if (session->tls) {
    co_await run_tls_session(*state, *session);
    co_return;
  }
  beast::flat_buffer buffer;
  bool more = true;
  while (more) more = co_await serve_one(*state, *session, session->stream, buffer);
  if (state->stopped || session->evicted || !session->stream.socket().is_open()) co_return;
  set_stage(*session, Stage::kLingering);
  co_await linger_and_close(session->stream);
}

asio::awaitable<void> accept_loop(StatePtr state) {
  asio::steady_timer retry(state->acceptor.get_executor());
  while (!state->stopped) {
    auto [ec, socket] = co_await state->acceptor.async_accept(kUseTuple);
    if (state->stopped) co_return;
    if (ec) {
      retry.expires_after(kAcceptRetryDelay);
      co_await retry.async_wait(kUseTuple);
      continue;
    }
    // Full: the newcomer (a scrape, most likely) takes the place of the longest-idle one.
    if (state->sessions.size() - state->evicted >= state->limits.max_connections &&
        !evict_one(*state)) {
      error_code ignored;
      socket.close(ignored);
      continue;
    }
    // Registered here, not in the coroutine, so the count is exact before the session runs.
    Session session = state->sessions.emplace(state->sessions.end(), std::move(socket));
    // The TLS context of now: a certificate changed since the last connection is used for this
    // one's handshake.
    session->tls = detail::current_credentials(state->security).tls;
    asio::co_spawn(state->acceptor.get_executor(), run_session(state, session), asio::detached);
  }
}

}  // namespace

HttpServer::HttpServer(asio::io_context& context, asio::ip::tcp::endpoint endpoint,
                       Handlers handlers, HttpServerLimits limits, HttpSecurity security,
                       std::optional<asio::any_io_executor> workers)
    : state_(std::make_shared<HttpServerState>(context, std::move(endpoint), std::move(handlers),
                                               limits, std::move(security), std::move(workers))) {}

HttpServer::~HttpServer() {
  stop();
}

Result<void> HttpServer::start() {
  asio::ip::tcp::acceptor& acceptor = state_->acceptor;
  error_code ec;
  acceptor.open(state_->endpoint.protocol(), ec);
  // SO_REUSEADDR lets a restarted daemon bind past TIME_WAIT; a live listener still conflicts.
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(state_->endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;
    acceptor.close(ignored);
    return Error{.kind = Error::Kind::kUnreadable, .message = ec.message(), .code = ec};
  }
  asio::co_spawn(acceptor.get_executor(), accept_loop(state_), asio::detached);
  return {};
}

void HttpServer::stop() {
  state_->stopped = true;
  error_code ignored;
  state_->acceptor.close(ignored);
  // Pending operations complete with operation_aborted on the io_context; each session then
  // sees `stopped` and ends, erasing itself.
  for (HttpSession& session : state_->sessions) session.stream.close();
}

asio::ip::tcp::endpoint HttpServer::local_endpoint() const {
  error_code ec;
  const asio::ip::tcp::endpoint endpoint = state_->acceptor.local_endpoint(ec);
  return ec ? asio::ip::tcp::endpoint() : endpoint;
}

std::size_t HttpServer::connection_count() const {
  return state_->sessions.size();
}

std::size_t HttpServer::evictions() const {
  return state_->stats->evictions;
}

std::shared_ptr<HttpServerStats> HttpServer::stats() const {
  return state_->stats;
}

void HttpServer::share_stats(std::shared_ptr<HttpServerStats> stats) {
  state_->stats = std::move(stats);
}

}  // namespace proxywatch
