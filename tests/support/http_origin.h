// HttpOrigin: the plain-HTTP server a plain-HTTP target reaches through the proxy (a custom
// Security Intelligence feed on port 80), with TlsOrigin's routes (tls_origin.h): /bytes/N,
// /cut/N, /silent/N, /drip/N, /status/N, /bad-length, "/" as a 302, 404 otherwise.
#pragma once

#include "tests/support/io_thread.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace proxywatch::testing {

// An HTTP/1.1 server on 127.0.0.1:port(), on its own thread, serving any number of connections
// at once (keep-alive honoured). Thread-safe accessors.
class HttpOrigin {
 public:
  HttpOrigin();
  // Stops the thread and closes every connection.
  ~HttpOrigin();
  HttpOrigin(const HttpOrigin&) = delete;
  HttpOrigin& operator=(const HttpOrigin&) = delete;

  // The listening port on 127.0.0.1.
  std::uint16_t port() const { return port_; }

  // The request lines received so far ("GET /bytes/10 HTTP/1.1"), oldest first: what the proxy
  // made of the absolute-form request it forwarded.
  std::vector<std::string> request_lines() const;

 private:
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> serve(asio::ip::tcp::socket socket);

  IoThread io_;  // first: destroyed last, after the sockets below
  asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::vector<std::string> request_lines_;
};

}  // namespace proxywatch::testing
