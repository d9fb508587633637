// libFuzzer target: the metrics listener's request handling. One HttpServer on 127.0.0.1 for
// the whole run; each input is written by a fresh loopback client that then shuts down its
// sending side and reads until the server closes. Loopback only.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include <boost/asio.hpp>

#include "common/output/web/http_server.h"

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

struct Listener {
  asio::io_context io;
  std::unique_ptr<proxywatch::HttpServer> server;
  Listener() {
    proxywatch::HttpServer::Handlers handlers{
        {"/metrics",
         [](const proxywatch::HttpQuery&) {
           return proxywatch::HttpResponse{200, "text/plain", "up 1\n"};
         }},
        {"/", [](const proxywatch::HttpQuery&) {
           return proxywatch::HttpResponse{200, "text/html", "<p>ok</p>"};
         }}};
    proxywatch::HttpServerLimits limits;
    limits.read_timeout = std::chrono::milliseconds(500);
    server = std::make_unique<proxywatch::HttpServer>(
        io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0), std::move(handlers), limits);
    if (!server->start()) std::abort();
  }
};

asio::awaitable<void> client(tcp::endpoint to, const std::uint8_t* data, std::size_t size,
                             bool& done) {
  auto tuple = asio::as_tuple(asio::use_awaitable);
  tcp::socket socket(co_await asio::this_coro::executor);
  auto [ec] = co_await socket.async_connect(to, tuple);
  if (!ec) {
    auto [write_ec, n] = co_await asio::async_write(socket, asio::buffer(data, size), tuple);
    (void)n;
    // A server that closed early (431, 413) makes the write fail: read what it answered anyway.
    if (!write_ec) socket.shutdown(tcp::socket::shutdown_send, ec);
    char buffer[4096];
    for (int i = 0; i < 10'000; ++i) {
      auto [read_ec, got] = co_await socket.async_read_some(asio::buffer(buffer), tuple);
      if (read_ec) break;
    }
  }
  done = true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Listener* listener = new Listener();
  bool done = false;
  asio::co_spawn(listener->io, client(listener->server->local_endpoint(), data, size, done),
                 asio::detached);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done && std::chrono::steady_clock::now() < deadline) {
    listener->io.run_one_for(std::chrono::milliseconds(100));
  }
  if (!done) std::abort();  // the server neither answered nor closed within 5 s
  // Let the server's side of the connection finish before the next input.
  for (int i = 0; i < 100 && listener->server->connection_count() > 0; ++i) {
    listener->io.run_one_for(std::chrono::milliseconds(10));
  }
  return 0;
}
