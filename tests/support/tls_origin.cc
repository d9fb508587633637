// TlsOrigin: one coroutine per connection on Beast's ssl_stream<tcp_stream> (for per-operation
// deadlines); the routes are origin_routes.h's.
#include "tests/support/tls_origin.h"
#include "tests/support/origin_routes.h"
#include "tests/support/server_limits.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace proxywatch::testing {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using origin_routes::kIdleTimeout;
using origin_routes::kMaxRequestsPerConnection;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

}  // namespace

TlsOrigin::TlsOrigin(const std::filesystem::path& cert_file, const std::filesystem::path& key_file)
    : tls_(ssl::context::tls_server), acceptor_(listen_on_loopback(io_.context())) {
  tls_.use_certificate_chain_file(cert_file.string());
  tls_.use_private_key_file(key_file.string(), ssl::context::pem);
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(io_.context(), accept_loop(), report_exception);
  io_.start();
}

TlsOrigin::TlsOrigin(const LeafCertificate& leaf) : TlsOrigin(leaf.cert_file, leaf.key_file) {}

TlsOrigin::~TlsOrigin() {
  io_.stop();
}

asio::awaitable<void> TlsOrigin::accept_loop() {
  for (std::size_t i = 0; i < kMaxConnections; ++i) {
    auto [ec, socket] = co_await acceptor_.async_accept(kAwait);
    if (ec) co_return;
    asio::co_spawn(acceptor_.get_executor(), serve(std::move(socket)), report_exception);
  }
}

asio::awaitable<void> TlsOrigin::serve(asio::ip::tcp::socket socket) {
  TlsStream stream(std::move(socket), tls_);
  stream.next_layer().expires_after(kIdleTimeout);
  const auto [handshake_error] = co_await stream.async_handshake(ssl::stream_base::server, kAwait);
  if (handshake_error) co_return;
  beast::flat_buffer buffer;
  for (std::size_t i = 0; i < kMaxRequestsPerConnection; ++i) {
    http::request_parser<http::empty_body> parser;
    parser.header_limit(16 * 1024);
    stream.next_layer().expires_after(kIdleTimeout);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, kAwait);
    if (ec) co_return;
    ++requests_served_;
    const bool reuse = co_await origin_routes::respond(stream, parser.get());
    if (!reuse) break;
  }
  // Connection: close (or a failed write): end with close_notify unless /cut already closed.
  if (!beast::get_lowest_layer(stream).socket().is_open()) co_return;
  stream.next_layer().expires_after(std::chrono::seconds(5));
  co_await stream.async_shutdown(kAwait);
}

}  // namespace proxywatch::testing
