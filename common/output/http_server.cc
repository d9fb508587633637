// HttpServer: an accept loop and one coroutine per connection, both holding the shared state so
// that stop() and the destructor never leave a coroutine with a dangling server. Every socket
// operation returns its error through as_tuple; a failing session ends, the server goes on.
#include "common/output/http_server.h"

#include <array>
#include <cstdint>
#include <list>
#include <optional>
#include <string_view>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace proxywatch {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// After the last answer of a connection we read (and discard) what the client still sends for
// at most this long, so that closing does not reset the connection under the answer.
constexpr std::chrono::seconds kLingerTimeout{1};
constexpr std::size_t kLingerMaxBytes = 64 * 1024;
// Pause after a failed accept (e.g. EMFILE) instead of spinning on the error.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

using Request = http::request<http::empty_body>;
using BeastResponse = http::response<http::string_body>;

HttpResponse plain(unsigned status, std::string body) {
  return HttpResponse{status, "text/plain; charset=utf-8", std::move(body) + "\n"};
}

BeastResponse to_beast(HttpResponse response, unsigned version, bool keep_alive, bool head) {
  BeastResponse out;
  out.version(version);
  out.result(response.status);
  out.set(http::field::server, "proxywatch");
  out.set(http::field::content_type, response.content_type);
  // RFC 9110 §15.5.6: a 405 must list the methods the resource supports.
  if (response.status == 405) out.set(http::field::allow, "GET, HEAD");
  out.keep_alive(keep_alive);
  // A HEAD answer carries the length the GET body would have, and no body (RFC 9110 §9.3.2).
  out.content_length(response.body.size());
  if (!head) out.body() = std::move(response.body);
  return out;
}

// The answer to a request whose headers parsed and that has no body.
HttpResponse dispatch(const HttpServer::Handlers& handlers, const Request& request) {
  std::string_view path = request.target();
  path = path.substr(0, path.find('?'));
  const auto handler = handlers.find(path);
  if (handler == handlers.end()) return plain(404, "not found");
  if (request.method() != http::verb::get && request.method() != http::verb::head)
    return plain(405, "method not allowed");
  try {
    return handler->second();
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

}  // namespace

namespace detail {

struct HttpServerState {
  HttpServerState(asio::io_context& c, asio::ip::tcp::endpoint e, HttpServer::Handlers h,
                  HttpServerLimits l)
      : endpoint(std::move(e)), handlers(std::move(h)), limits(l), acceptor(c) {}

  const asio::ip::tcp::endpoint endpoint;
  const HttpServer::Handlers handlers;
  const HttpServerLimits limits;
  asio::ip::tcp::acceptor acceptor;
  // Open connections. A list, so each session's iterator stays valid while others come and go.
  std::list<beast::tcp_stream> sessions;
  bool stopped = false;
};

}  // namespace detail

namespace {

using detail::HttpServerState;
using StatePtr = std::shared_ptr<HttpServerState>;
using Session = std::list<beast::tcp_stream>::iterator;

// Removes a session from the list when its coroutine ends or is destroyed.
struct SessionGuard {
  HttpServerState& state;
  Session session;
  ~SessionGuard() { state.sessions.erase(session); }
};

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

// Reads one request and writes its answer; returns whether the connection may carry another.
// Parameters by reference, unlike our other coroutines: run_session owns them and awaits this
// directly, so they outlive it.
asio::awaitable<bool> serve_one(HttpServerState& state, beast::tcp_stream& stream,
                                beast::flat_buffer& buffer) {
  http::request_parser<http::empty_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(state.limits.header_limit));
  stream.expires_after(state.limits.read_timeout);
  auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, kUseTuple);
  if (state.stopped) co_return false;
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
    response = has_body ? to_beast(plain(413, "request bodies are not accepted"), request.version(),
                                   false, head)
                        : to_beast(dispatch(state.handlers, request), request.version(),
                                   request.keep_alive(), head);
  }
  stream.expires_after(state.limits.read_timeout);
  auto [write_ec, written] = co_await http::async_write(stream, response, kUseTuple);
  co_return !write_ec && response.keep_alive() && !state.stopped;
}

asio::awaitable<void> run_session(StatePtr state, Session session) {
  SessionGuard guard{*state, session};
  beast::flat_buffer buffer;
  bool more = !state->stopped;
  while (more) more = co_await serve_one(*state, *session, buffer);
  if (state->stopped || !session->socket().is_open()) co_return;
  co_await linger_and_close(*session);
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
    if (state->sessions.size() >= state->limits.max_connections) {
      error_code ignored;
      socket.close(ignored);
      continue;
    }
    // Registered here, not in the coroutine, so the count is exact before the session runs.
    Session session = state->sessions.emplace(state->sessions.end(), std::move(socket));
    asio::co_spawn(state->acceptor.get_executor(), run_session(state, session), asio::detached);
  }
}

}  // namespace

HttpServer::HttpServer(asio::io_context& context, asio::ip::tcp::endpoint endpoint,
                       Handlers handlers, HttpServerLimits limits)
    : state_(std::make_shared<HttpServerState>(context, std::move(endpoint), std::move(handlers),
                                               limits)) {}

HttpServer::~HttpServer() {
  stop();
}

boost::system::result<void> HttpServer::start() {
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
    return ec;
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
  for (beast::tcp_stream& stream : state_->sessions) stream.close();
}

asio::ip::tcp::endpoint HttpServer::local_endpoint() const {
  error_code ec;
  const asio::ip::tcp::endpoint endpoint = state_->acceptor.local_endpoint(ec);
  return ec ? asio::ip::tcp::endpoint() : endpoint;
}

std::size_t HttpServer::connection_count() const {
  return state_->sessions.size();
}

}  // namespace proxywatch
