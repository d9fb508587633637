// HttpOrigin: one coroutine per connection on Beast's tcp_stream; the routes are
// origin_routes.h's.
#include "tests/support/http_origin.h"

#include <boost/asio/co_spawn.hpp>

#include "tests/support/origin_routes.h"
#include "tests/support/server_limits.h"

namespace proxywatch::testing {

namespace beast = boost::beast;
namespace http = beast::http;

HttpOrigin::HttpOrigin() : acceptor_(listen_on_loopback(io_.context())) {
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(io_.context(), accept_loop(), report_exception);
  io_.start();
}

HttpOrigin::~HttpOrigin() {
  io_.stop();
}

std::vector<std::string> HttpOrigin::request_lines() const {
  std::lock_guard lock(mutex_);
  return request_lines_;
}

asio::awaitable<void> HttpOrigin::accept_loop() {
  for (std::size_t i = 0; i < kMaxConnections; ++i) {
    auto [ec, socket] = co_await acceptor_.async_accept(kAwait);
    if (ec) co_return;
    asio::co_spawn(acceptor_.get_executor(), serve(std::move(socket)), report_exception);
  }
}

asio::awaitable<void> HttpOrigin::serve(asio::ip::tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (std::size_t i = 0; i < origin_routes::kMaxRequestsPerConnection; ++i) {
    http::request_parser<http::empty_body> parser;
    parser.header_limit(16 * 1024);
    stream.expires_after(origin_routes::kIdleTimeout);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, kAwait);
    if (ec) co_return;
    {
      const auto& request = parser.get();
      std::lock_guard lock(mutex_);
      request_lines_.push_back(std::string(request.method_string()) + " " +
                               std::string(request.target()) + " HTTP/1.1");
    }
    const bool reuse = co_await origin_routes::respond(stream, parser.get());
    if (!reuse) break;
  }
  if (!stream.socket().is_open()) co_return;
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

}  // namespace proxywatch::testing
