// HttpServer on a ListenerThread as the daemon runs it, against blocking clients on the test's
// thread: wrong passwords are throttled per client address while a password accepted before
// is not; answers held for clients that do not read them are bounded, a body shared by many
// readers counting once.
#include <netinet/in.h>
#include <sys/socket.h>

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/output/web/auth_throttle.h"
#include "common/output/web/basic_auth.h"
#include "common/output/web/http_server.h"
#include "common/output/web/listener_thread.h"

namespace proxywatch {
namespace {

namespace http = boost::beast::http;
using asio::ip::tcp;

// htpasswd -nbB -C 4 prometheus 'se cret:pw€'; base64 of "prometheus:se cret:pw€" and of
// "prometheus:wrong".
const std::string kLimitsHash = "$2y$04$qsVDvvlPi27qffvaeHvFXuL3H9dKy2zk7yW03uirvC6py00NxvPM2";
const std::string kLimitsRight = "Basic cHJvbWV0aGV1czpzZSBjcmV0OnB34oKs";
const std::string kLimitsWrong = "Basic cHJvbWV0aGV1czp3cm9uZw==";

// A server on its own ListenerThread, stopped as StatusService stops it.
class LimitsServer {
 public:
  LimitsServer(HttpServer::Handlers handlers, HttpServerLimits limits, HttpSecurity security)
      : server_(std::make_unique<HttpServer>(
            listener_.context(), tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0),
            std::move(handlers), limits, std::move(security), listener_.workers())) {
    if (!server_->start()) throw std::runtime_error("cannot listen");
  }
  ~LimitsServer() {
    listener_.stop();
    server_->stop();
    server_.reset();
  }
  std::uint16_t port() const { return server_->local_endpoint().port(); }
  const HttpServerStats& stats() const { return *server_->stats(); }

 private:
  ListenerThread listener_;
  std::unique_ptr<HttpServer> server_;
};

// A connection from `source` (127.0.0.0/8) with a small receive buffer, so that an answer it
// does not read stays in the server's hands.
tcp::socket limits_connect(std::uint16_t port, const std::string& source = "127.0.0.1") {
  static asio::io_context io;
  tcp::socket socket(io);
  socket.open(tcp::v4());
  socket.set_option(asio::socket_base::receive_buffer_size(4096));
  socket.bind({asio::ip::make_address(source), 0});
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  return socket;
}

void limits_send(tcp::socket& socket, const std::string& target, const std::string& auth = "") {
  http::request<http::empty_body> request(http::verb::get, target, 11);
  request.set(http::field::host, "127.0.0.1");
  if (!auth.empty()) request.set(http::field::authorization, auth);
  http::write(socket, request);
}

// Reads only the answer's head: the status and the headers.
http::response<http::empty_body> limits_head(tcp::socket& socket, boost::beast::flat_buffer& buf) {
  http::response_parser<http::empty_body> parser;
  parser.body_limit(boost::none);
  http::read_header(socket, buf, parser);
  return parser.release();
}

unsigned limits_status(std::uint16_t port, const std::string& source, const std::string& auth,
                       std::string* retry_after = nullptr) {
  tcp::socket socket = limits_connect(port, source);
  limits_send(socket, "/metrics", auth);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(socket, buffer, response);
  if (retry_after) *retry_after = std::string(response[http::field::retry_after]);
  return response.result_int();
}

TEST(HttpServerLimitsTest, WrongPasswordsAreThrottledPerClientAcceptedOnesAreNot) {
  HttpSecurity security;
  security.users =
      std::make_shared<BasicAuth>(std::map<std::string, std::string>{{"prometheus", kLimitsHash}});
  LimitsServer server({{"/metrics", [](const HttpQuery&) { return HttpResponse{}; }}}, {},
                      security);
  for (int i = 0; i < kAuthBurst; ++i) {
    ASSERT_EQ(limits_status(server.port(), "127.0.0.1", kLimitsWrong), 401u) << i;
  }
  std::string retry_after;
  EXPECT_EQ(limits_status(server.port(), "127.0.0.1", kLimitsWrong, &retry_after), 429u);
  EXPECT_EQ(retry_after, "2");
  // The throttled client's right password is not even verified ...
  EXPECT_EQ(limits_status(server.port(), "127.0.0.1", kLimitsRight), 429u);
  // ... another client is not throttled, and once its password was accepted, the right password
  // passes from anywhere without a bcrypt: a scraper is never throttled.
  EXPECT_EQ(limits_status(server.port(), "127.0.0.2", kLimitsRight), 200u);
  EXPECT_EQ(limits_status(server.port(), "127.0.0.1", kLimitsRight), 200u);
  EXPECT_EQ(server.stats().auth_failures, static_cast<std::uint64_t>(kAuthBurst));
  EXPECT_EQ(server.stats().auth_throttled, 2u);
}

TEST(HttpServerLimitsTest, UnreadAnswersAreBoundedEachSharedBodyCountingOnce) {
  constexpr std::size_t kBig = 16u << 20;
  auto shared = std::make_shared<const std::string>(kBig, 's');
  HttpServerLimits limits;
  limits.max_buffered_bytes = 24u << 20;
  LimitsServer server(
      {{"/shared", [shared](const HttpQuery&) { return HttpResponse{.shared_body = shared}; }},
       {"/fresh", [](const HttpQuery&) { return HttpResponse{.body = std::string(kBig, 'f')}; }}},
      limits, {});
  // Three slow readers of one shared 16 MiB body: held once, all answered.
  std::vector<tcp::socket> readers;
  std::vector<boost::beast::flat_buffer> buffers(4);
  for (int i = 0; i < 3; ++i) {
    readers.push_back(limits_connect(server.port()));
    limits_send(readers.back(), "/shared");
    EXPECT_EQ(limits_head(readers.back(), buffers[i]).result_int(), 200u) << i;
  }
  // A fresh 16 MiB body beside it would hold 32 MiB: 503, retry later.
  readers.push_back(limits_connect(server.port()));
  limits_send(readers.back(), "/fresh");
  auto refused = limits_head(readers.back(), buffers[3]);
  EXPECT_EQ(refused.result_int(), 503u);
  EXPECT_EQ(refused[http::field::retry_after], "1");
  EXPECT_EQ(server.stats().busy, 1u);
}

}  // namespace
}  // namespace proxywatch
