// DelayProxy: one coroutine per connection; the delays are steady_timer waits placed exactly
// around the two answers they stand for, so nothing else the proxy does is inside them.
#include "tests/support/delay_proxy.h"
#include "tests/support/server_limits.h"

#include "tests/support/relay.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <string>
#include <string_view>

namespace proxywatch::testing {
namespace {

using asio::ip::tcp;

asio::awaitable<void> pause(std::chrono::milliseconds delay) {
  if (delay.count() <= 0) co_return;
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(kAwait);
}

// Reads one chunk from `from` and writes it to `to` after `delay`; false when either failed.
asio::awaitable<bool> pass_one(tcp::socket& from, tcp::socket& to,
                               std::chrono::milliseconds delay) {
  std::array<char, 16 * 1024> chunk;
  auto [ec, n] = co_await from.async_read_some(asio::buffer(chunk), kAwait);
  if (ec) co_return false;
  co_await pause(delay);
  auto [write_ec, written] = co_await asio::async_write(to, asio::buffer(chunk.data(), n), kAwait);
  co_return !write_ec;
}

}  // namespace

DelayProxy::DelayProxy(Options options)
    : options_(options), acceptor_(listen_on_loopback(io_.context())) {
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(io_.context(), accept_loop(), report_exception);
  io_.start();
}

DelayProxy::~DelayProxy() {
  io_.stop();
}

std::vector<std::chrono::steady_clock::time_point> DelayProxy::request_times() const {
  std::lock_guard lock(mutex_);
  return request_times_;
}

asio::awaitable<void> DelayProxy::accept_loop() {
  for (std::size_t i = 0; i < kMaxConnections; ++i) {
    auto [ec, socket] = co_await acceptor_.async_accept(kAwait);
    if (ec) co_return;
    asio::co_spawn(io_.context(), serve(std::move(socket)), report_exception);
  }
}

asio::awaitable<void> DelayProxy::serve(tcp::socket client) {
  std::string head;
  auto [ec, n] = co_await asio::async_read_until(client, asio::dynamic_buffer(head, kHeaderLimit),
                                                 "\r\n\r\n", kAwait);
  if (ec) co_return;
  {
    std::lock_guard lock(mutex_);
    request_times_.push_back(std::chrono::steady_clock::now());
  }
  tcp::socket upstream(client.get_executor());
  auto [connect_ec] = co_await upstream.async_connect(
      tcp::endpoint(asio::ip::address_v4::loopback(), options_.upstream_port), kAwait);
  if (connect_ec) co_return;
  co_await pause(options_.connect_delay);
  auto [write_ec, written] = co_await asio::async_write(client, asio::buffer(kEstablished), kAwait);
  if (write_ec) co_return;
  // The probe sends nothing with its CONNECT, so the client's next bytes are the ClientHello.
  bool hello = co_await pass_one(client, upstream, std::chrono::milliseconds(0));
  if (!hello) co_return;
  bool server_hello = co_await pass_one(upstream, client, options_.server_hello_delay);
  if (!server_hello) co_return;
  co_await relay_both_ways(client, upstream);
}

}  // namespace proxywatch::testing
