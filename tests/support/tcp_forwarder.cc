// TcpForwarder: accept, connect upstream, relay_both_ways (relay.h).
#include "tests/support/tcp_forwarder.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>

#include "tests/support/relay.h"
#include "tests/support/server_limits.h"

namespace proxywatch::testing {

TcpForwarder::TcpForwarder(const std::string& address, std::uint16_t port,
                           std::uint16_t upstream_port)
    : acceptor_(io_.context(), asio::ip::tcp::endpoint(asio::ip::make_address(address), port)),
      upstream_port_(upstream_port) {
  asio::co_spawn(io_.context(), accept_loop(), report_exception);
  io_.start();
}

TcpForwarder::~TcpForwarder() {
  io_.stop();
}

void TcpForwarder::cut() {
  // On the io thread, which owns the acceptor; waits until it is closed.
  asio::post(io_.context(), asio::use_future([this] {
               boost::system::error_code ignored;
               acceptor_.close(ignored);
             }))
      .get();
}

asio::awaitable<void> TcpForwarder::accept_loop() {
  for (std::size_t i = 0; i < kMaxConnections; ++i) {
    auto [ec, socket] = co_await acceptor_.async_accept(kAwait);
    if (ec) co_return;
    asio::co_spawn(acceptor_.get_executor(), forward(std::move(socket)), report_exception);
  }
}

asio::awaitable<void> TcpForwarder::forward(asio::ip::tcp::socket client) {
  asio::ip::tcp::socket upstream(client.get_executor());
  auto [ec] =
      co_await upstream.async_connect({asio::ip::address_v4::loopback(), upstream_port_}, kAwait);
  if (ec) co_return;
  co_await relay_both_ways(client, upstream);
}

}  // namespace proxywatch::testing
