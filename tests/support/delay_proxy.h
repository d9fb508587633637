// DelayProxy: a forward proxy that delays on purpose by known amounts — the answer to CONNECT,
// and the origin's first flight after the ClientHello (the ServerHello) — so that a test can
// check that the probe's reported phases carry exactly those delays (docs/benchmarks.md,
// timing accuracy). It also stamps when each request head arrived, which times how fast a
// proxy change reaches the first probe through the new proxy.
#pragma once

#include "tests/support/io_thread.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <vector>

namespace proxywatch::testing {

namespace asio = boost::asio;

// A proxy on 127.0.0.1:port(), on its own thread, any number of connections at once. Each one:
// read the request head (CONNECT, whatever host it names), connect to 127.0.0.1:upstream_port,
// wait connect_delay, answer "200 Connection established"; pass the client's first bytes (the
// ClientHello) on, hold the upstream's first answer for server_hello_delay, pass it on; then
// relay both ways. Thread-safe accessors.
class DelayProxy {
 public:
  struct Options {
    std::uint16_t upstream_port = 0;
    std::chrono::milliseconds connect_delay{0};
    std::chrono::milliseconds server_hello_delay{0};
  };

  // Starts listening and serving; throws if the listener cannot be opened.
  explicit DelayProxy(Options options);
  // Stops the thread and closes every connection.
  ~DelayProxy();
  DelayProxy(const DelayProxy&) = delete;
  DelayProxy& operator=(const DelayProxy&) = delete;

  // The listening port on 127.0.0.1.
  std::uint16_t port() const { return port_; }

  // When each request head was read completely, oldest first.
  std::vector<std::chrono::steady_clock::time_point> request_times() const;

 private:
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> serve(asio::ip::tcp::socket client);

  IoThread io_;  // first: destroyed last, after the sockets below
  const Options options_;
  asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::vector<std::chrono::steady_clock::time_point> request_times_;
};

}  // namespace proxywatch::testing
