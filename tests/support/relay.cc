// Two pumps joined with the awaitable && operator: each ends on EOF (passing a FIN on) or on an
// error (resetting both sockets, so the other pump ends too).
#include "tests/support/relay.h"
#include "tests/support/server_limits.h"

#include <array>
#include <cstddef>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace proxywatch::testing {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr std::size_t kRelayMaxReads = 10'000'000;

void abort_socket(tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.set_option(asio::socket_base::linger(true, 0), ignored);
  socket.close(ignored);
}

asio::awaitable<void> pump(tcp::socket& from, tcp::socket& to) {
  std::array<char, 16 * 1024> chunk;
  for (std::size_t i = 0; i < kRelayMaxReads; ++i) {
    auto [ec, n] = co_await from.async_read_some(asio::buffer(chunk), kAwait);
    if (ec == asio::error::eof) {
      boost::system::error_code ignored;
      to.shutdown(tcp::socket::shutdown_send, ignored);
      co_return;
    }
    if (ec) break;
    auto [write_ec, written] =
        co_await asio::async_write(to, asio::buffer(chunk.data(), n), kAwait);
    if (write_ec) break;
  }
  abort_socket(to);
  abort_socket(from);
}

}  // namespace

asio::awaitable<void> relay_both_ways(tcp::socket& a, tcp::socket& b) {
  using namespace asio::experimental::awaitable_operators;  // for && on awaitables
  co_await (pump(a, b) && pump(b, a));
}

}  // namespace proxywatch::testing
