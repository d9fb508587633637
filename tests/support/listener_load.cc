// Beast clients as coroutines on one io_context, run by one thread at nice 19.
#include "tests/support/listener_load.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace proxywatch::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;

ListenerLoad::ListenerLoad(std::uint16_t port)
    : port_(port), guard_(io_.get_executor()), thread_([this] {
        ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 19);
        io_.run();
      }) {}

ListenerLoad::~ListenerLoad() {
  stop();
}

void ListenerLoad::add(int count, const std::string& source, const std::string& authorization,
                       std::vector<std::string> paths) {
  for (int i = 0; i < count; ++i) {
    asio::co_spawn(io_, client(source, authorization, paths), asio::detached);
  }
}

void ListenerLoad::stop() {
  guard_.reset();
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

ListenerLoad::Seen ListenerLoad::seen() {
  std::lock_guard lock(mutex_);
  return seen_;
}

asio::awaitable<void> ListenerLoad::client(std::string source, std::string authorization,
                                           std::vector<std::string> paths) {
  constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
  const asio::any_io_executor ex = co_await asio::this_coro::executor;
  const asio::ip::tcp::endpoint server(asio::ip::make_address("127.0.0.1"), port_);
  std::size_t next = 0;
  for (;;) {
    boost::beast::tcp_stream stream(ex);
    boost::system::error_code ec;
    stream.socket().open(asio::ip::tcp::v4(), ec);
    if (!ec) stream.socket().bind({asio::ip::make_address(source), 0}, ec);
    stream.expires_after(std::chrono::seconds(5));
    if (!ec) std::tie(ec) = co_await stream.async_connect(server, kTuple);
    if (ec) {
      asio::steady_timer pause(ex, std::chrono::milliseconds(10));  // e.g. out of descriptors
      co_await pause.async_wait(kTuple);
      continue;
    }
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request<http::empty_body> request(http::verb::get, paths[next++ % paths.size()], 11);
      request.set(http::field::host, "127.0.0.1");
      if (!authorization.empty()) request.set(http::field::authorization, authorization);
      const auto start = std::chrono::steady_clock::now();
      stream.expires_after(std::chrono::seconds(5));
      auto [write_ec, written] = co_await http::async_write(stream, request, kTuple);
      if (write_ec) break;
      http::response<http::string_body> response;
      auto [read_ec, read] = co_await http::async_read(stream, buffer, response, kTuple);
      if (read_ec) break;
      const double took =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      {
        std::lock_guard lock(mutex_);
        ++seen_.statuses[response.result_int()];
        if (response.result_int() == 200) seen_.slowest_ok = std::max(seen_.slowest_ok, took);
      }
      if (!response.keep_alive()) break;
    }
  }
}

}  // namespace proxywatch::testing
