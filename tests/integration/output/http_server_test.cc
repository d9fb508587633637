// HttpServer against a Beast client: the server listens on 127.0.0.1:0 in the test's own
// io_context, the client coroutines run on the same context, and every wait is "run handlers
// until the condition holds or the deadline passes".
#include "common/output/web/http_server.h"

#include "common/output/metrics/metrics.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace proxywatch {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using boost::system::error_code;
using std::chrono_literals::operator""ms;
using std::chrono_literals::operator""s;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kDeadline = 10s;

// Runs handlers on `context` until `done()` or the deadline; returns whether `done()` held.
template <class Pred>
bool run_until(asio::io_context& context, Pred done, std::chrono::seconds deadline = kDeadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (!done() && context.run_one_until(end) > 0) {
  }
  return done();
}

// Boxes a task's result: co_spawn needs a default-constructible result, and a stream is not one
// (std::optional would do, but trips GCC 12's -Wmaybe-uninitialized inside coroutines).
template <class T>
asio::awaitable<std::unique_ptr<T>> boxed(asio::awaitable<T> task) {
  co_return std::make_unique<T>(co_await std::move(task));
}

// Runs `task` on `context` (beside the server) until it finishes; throws if it failed or the
// deadline passed.
template <class T>
T run_task(asio::io_context& context, asio::awaitable<T> task) {
  std::unique_ptr<T> result;
  std::exception_ptr error;
  bool finished = false;
  asio::co_spawn(context, boxed(std::move(task)),
                 [&](std::exception_ptr e, std::unique_ptr<T> value) {
                   error = e;
                   result = std::move(value);
                   finished = true;
                 });
  if (!run_until(context, [&] { return finished; }))
    throw std::runtime_error("client did not finish before its deadline");
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

// What the client saw: an answer, or the error that ended the read.
struct Answer {
  error_code error;
  unsigned status = 0;
  std::string content_type;
  std::string allow;
  std::optional<std::uint64_t> content_length;
  std::string body;
  bool keep_alive = false;
};

asio::awaitable<Answer> read_answer(beast::tcp_stream& stream, bool head) {
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.skip(head);  // a HEAD answer has no body (RFC 9110 §9.3.2)
  stream.expires_after(kDeadline);
  auto [ec, n] = co_await http::async_read(stream, buffer, parser, kUseTuple);
  Answer answer;
  answer.error = ec;
  if (ec) co_return answer;
  const auto& response = parser.get();
  answer.status = response.result_int();
  answer.content_type = std::string(response[http::field::content_type]);
  answer.allow = std::string(response[http::field::allow]);
  if (const auto length = parser.content_length()) answer.content_length = *length;
  answer.body = response.body();
  answer.keep_alive = response.keep_alive();
  co_return answer;
}

asio::awaitable<beast::tcp_stream> connect_to(tcp::endpoint endpoint) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_after(kDeadline);
  co_await stream.async_connect(endpoint, asio::use_awaitable);
  co_return stream;
}

asio::awaitable<Answer> send(beast::tcp_stream& stream, http::verb method, std::string target) {
  http::request<http::empty_body> request{method, target, 11};
  request.set(http::field::host, "localhost");
  stream.expires_after(kDeadline);
  co_await http::async_write(stream, request, asio::use_awaitable);
  co_return co_await read_answer(stream, method == http::verb::head);
}

// One request on a fresh connection.
asio::awaitable<Answer> fetch(tcp::endpoint endpoint, http::verb method, std::string target) {
  beast::tcp_stream stream = co_await connect_to(endpoint);
  co_return co_await send(stream, method, std::move(target));
}

// Raw bytes on a fresh connection, then the answer (or the error that ended the read).
asio::awaitable<Answer> fetch_raw(tcp::endpoint endpoint, std::string raw) {
  beast::tcp_stream stream = co_await connect_to(endpoint);
  co_await asio::async_write(stream, asio::buffer(raw), asio::use_awaitable);
  co_return co_await read_answer(stream, false);
}

// Reads until the server closes the connection; returns the error that ended the read.
asio::awaitable<error_code> wait_for_close(beast::tcp_stream& stream) {
  char byte = 0;
  stream.expires_after(kDeadline);
  auto [ec, n] = co_await stream.async_read_some(asio::buffer(&byte, 1), kUseTuple);
  co_return ec;
}

// A server with /metrics (served from a real Metrics), /fixed (a body that never changes) and
// /fail (a handler that throws).
constexpr std::string_view kFixedBody = "the same 27 bytes each time";

class HttpServerTest : public ::testing::Test {
 protected:
  void start(HttpServerLimits limits = {}) {
    HttpServer::Handlers handlers;
    handlers["/metrics"] = [this](const HttpQuery&) {
      return HttpResponse{200, std::string(kMetricsContentType), metrics_.serialize()};
    };
    handlers["/fixed"] = [](const HttpQuery&) {
      return HttpResponse{200, "text/plain", std::string(kFixedBody)};
    };
    handlers["/fail"] = [](const HttpQuery&) -> HttpResponse {
      throw std::runtime_error("handler bug");
    };
    const tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), 0);
    server_.emplace(context_, endpoint, std::move(handlers), limits);
    ASSERT_TRUE(server_->start().has_value());
    endpoint_ = server_->local_endpoint();
    ASSERT_NE(endpoint_.port(), 0);
  }

  Answer get(std::string target, http::verb method = http::verb::get) {
    return run_task(context_, fetch(endpoint_, method, std::move(target)));
  }

  asio::io_context context_;
  Metrics metrics_;
  std::optional<HttpServer> server_;
  tcp::endpoint endpoint_;
};

TEST_F(HttpServerTest, ServesMetricsInTheExpositionFormat) {
  start();
  const Answer answer = get("/metrics");
  ASSERT_FALSE(answer.error) << answer.error.message();
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(answer.body.find("proxywatch_build_info{revision="), std::string::npos);
  EXPECT_TRUE(answer.keep_alive);
}

TEST_F(HttpServerTest, QueryStringDoesNotChangeThePath) {
  start();
  EXPECT_EQ(get("/metrics?debug=1").status, 200);
}

// RFC 9112 §3.2.2: a server must accept the absolute form (what a client talking through a
// forward proxy, or a proxy itself, sends).
TEST_F(HttpServerTest, AbsoluteFormRequestTargetIsServed) {
  start();
  EXPECT_EQ(get("http://127.0.0.1/fixed").body, kFixedBody);
  EXPECT_EQ(get("HTTP://appliance.example:39555/fixed?x=1").body, kFixedBody);
  EXPECT_EQ(get("http://127.0.0.1/nothing-here").status, 404);
  EXPECT_EQ(get("http://127.0.0.1").status, 404);  // the path "/", which has no handler here
}

TEST_F(HttpServerTest, HeadAnswersTheLengthWithoutABody) {
  start();
  // /metrics' length changes between two requests (process CPU and memory): a fixed body.
  ASSERT_EQ(get("/fixed").body, kFixedBody);
  const Answer answer = get("/fixed", http::verb::head);
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.content_length, kFixedBody.size());
  EXPECT_TRUE(answer.body.empty());
}

TEST_F(HttpServerTest, UnknownPathIsNotFound) {
  start();
  EXPECT_EQ(get("/nothing-here").status, 404);
}

TEST_F(HttpServerTest, OtherMethodsAreNotAllowedAndListTheAllowedOnes) {
  start();
  const Answer answer = get("/metrics", http::verb::delete_);
  EXPECT_EQ(answer.status, 405);
  EXPECT_EQ(answer.allow, "GET, HEAD");
  EXPECT_EQ(get("/metrics", http::verb::post).status, 405);
}

TEST_F(HttpServerTest, RequestWithABodyIsRefusedAndTheConnectionClosed) {
  start();
  const Answer answer = run_task(
      context_,
      fetch_raw(endpoint_, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"));
  ASSERT_FALSE(answer.error) << answer.error.message();
  EXPECT_EQ(answer.status, 413);
  EXPECT_FALSE(answer.keep_alive);
}

TEST_F(HttpServerTest, ThrowingHandlerAnswersInternalErrorAndTheServerGoesOn) {
  start();
  EXPECT_EQ(get("/fail").status, 500);
  EXPECT_EQ(get("/metrics").status, 200);
}

TEST_F(HttpServerTest, KeepAliveCarriesSeveralRequestsOnOneConnection) {
  start();
  const auto two_requests = [](tcp::endpoint endpoint) -> asio::awaitable<std::vector<unsigned>> {
    beast::tcp_stream stream = co_await connect_to(endpoint);
    const Answer first = co_await send(stream, http::verb::get, "/metrics");
    const Answer second = co_await send(stream, http::verb::head, "/metrics");
    co_return std::vector<unsigned>{first.status, second.status};
  };
  EXPECT_EQ(run_task(context_, two_requests(endpoint_)), (std::vector<unsigned>{200, 200}));
}

TEST_F(HttpServerTest, OversizeHeaderIsAnsweredWith431AndClosed) {
  start();
  const std::string raw =
      "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n";
  const Answer answer = run_task(context_, fetch_raw(endpoint_, raw));
  // The server keeps reading the rest of the header while it closes, so the 431 arrives
  // instead of a reset (RFC 9112 §9.6).
  ASSERT_FALSE(answer.error) << answer.error.message();
  EXPECT_EQ(answer.status, 431);
  EXPECT_FALSE(answer.keep_alive);
  EXPECT_EQ(get("/metrics").status, 200);
}

TEST_F(HttpServerTest, SilentConnectionIsClosedAfterTheReadTimeout) {
  HttpServerLimits limits;
  limits.read_timeout = 200ms;
  start(limits);
  const auto silent = [](tcp::endpoint endpoint) -> asio::awaitable<error_code> {
    beast::tcp_stream stream = co_await connect_to(endpoint);
    co_return co_await wait_for_close(stream);
  };
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(run_task(context_, silent(endpoint_)), asio::error::eof);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_TRUE(run_until(context_, [&] { return server_->connection_count() == 0; }));
}

TEST_F(HttpServerTest, WhenFullTheLongestIdleConnectionMakesRoom) {
  start();
  constexpr std::size_t kLimit = HttpServerLimits{}.max_connections;
  std::vector<beast::tcp_stream> open;
  for (std::size_t i = 0; i < kLimit; ++i)
    open.push_back(run_task(context_, connect_to(endpoint_)));
  ASSERT_TRUE(run_until(context_, [&] { return server_->connection_count() == kLimit; }));
  // The 65th connection is served; the oldest idle one (the first) is closed for it.
  EXPECT_EQ(get("/metrics").status, 200);
  EXPECT_EQ(server_->evictions(), 1u);
  const error_code evicted = run_task(context_, wait_for_close(open.front()));
  EXPECT_TRUE(evicted == asio::error::eof || evicted == asio::error::connection_reset)
      << evicted.message();
  // The others still work.
  EXPECT_EQ(run_task(context_, send(open.back(), http::verb::get, "/metrics")).status, 200);
}

TEST_F(HttpServerTest, ConnectionThatSendsNothingIsClosedAfterTheIdleTimeout) {
  HttpServerLimits limits;
  limits.idle_timeout = 200ms;
  limits.read_timeout = 10s;
  start(limits);
  const auto silent = [](tcp::endpoint endpoint) -> asio::awaitable<error_code> {
    beast::tcp_stream stream = co_await connect_to(endpoint);
    co_return co_await wait_for_close(stream);
  };
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(run_task(context_, silent(endpoint_)), asio::error::eof);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

// A blocking loopback client socket, opened without the server's io_context running: the
// kernel completes the handshake into the listen backlog.
int open_raw(tcp::endpoint endpoint, std::string_view send = {}) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(endpoint.port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  if (!send.empty() && ::write(fd, send.data(), send.size()) < 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Raises the soft limit on open files to the hard one: the test holds 2,200 sockets.
void raise_file_limit(rlim_t wanted) {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < wanted) {
    limit.rlim_cur = std::min(wanted, limit.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// The crowd gets idle and read timeouts far longer than the client's deadline (kDeadline), so a
// scrape that were served only once an attacker timed out would miss it: the answer must come
// from the server making room at once, however slow the machine (sanitizers included).
TEST_F(HttpServerTest, ScrapeIsServedDespiteIdleAndSlowlorisCrowdsWithoutWaitingForTimeouts) {
  raise_file_limit(4096);
  HttpServerLimits limits;
  limits.idle_timeout = 3 * kDeadline;
  limits.read_timeout = 3 * kDeadline;
  start(limits);
  std::vector<int> attackers;
  for (int i = 0; i < 2000; ++i) attackers.push_back(open_raw(endpoint_));
  for (int i = 0; i < 200; ++i) {
    attackers.push_back(open_raw(endpoint_, "GET /metrics HTTP/1.1\r\nX-Slow: a"));
  }
  ASSERT_EQ(std::count(attackers.begin(), attackers.end(), -1), 0) << "RLIMIT_NOFILE too low";
  EXPECT_EQ(get("/metrics").status, 200);
  // The attacker opens 80 more idle connections; the next scrape is served the same way.
  for (int i = 0; i < 80; ++i) attackers.push_back(open_raw(endpoint_));
  EXPECT_EQ(get("/metrics").status, 200);
  EXPECT_LE(server_->connection_count(), limits.max_connections + 1);
  for (int fd : attackers) ::close(fd);
}

TEST_F(HttpServerTest, StopClosesOpenConnectionsAndTheListener) {
  start();
  beast::tcp_stream stream = run_task(context_, connect_to(endpoint_));
  EXPECT_EQ(run_task(context_, send(stream, http::verb::get, "/metrics")).status, 200);
  server_->stop();
  EXPECT_NE(run_task(context_, wait_for_close(stream)), error_code());
  EXPECT_TRUE(run_until(context_, [&] { return server_->connection_count() == 0; }));
  tcp::socket probe(context_);
  error_code ec;
  probe.connect(endpoint_, ec);
  EXPECT_EQ(ec, asio::error::connection_refused);
}

TEST_F(HttpServerTest, DestroyingTheServerWithOpenConnectionsIsSafe) {
  start();
  beast::tcp_stream stream = run_task(context_, connect_to(endpoint_));
  ASSERT_TRUE(run_until(context_, [&] { return server_->connection_count() == 1; }));
  server_.reset();
  EXPECT_NE(run_task(context_, wait_for_close(stream)), error_code());
}

TEST(HttpServerBindTest, PortInUseIsReturnedAsAnError) {
  asio::io_context context;
  tcp::acceptor taken(context, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0));
  HttpServer server(context, taken.local_endpoint(), {});
  const Result<void> started = server.start();
  ASSERT_FALSE(started.has_value());
  EXPECT_EQ(started.error().code, std::errc::address_in_use);
  EXPECT_EQ(server.local_endpoint().port(), 0);
}

}  // namespace
}  // namespace proxywatch
