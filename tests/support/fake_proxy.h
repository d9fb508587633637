// FakeProxy: an HTTP forward proxy that misbehaves on cue. Each Behavior is one of the proxy
// failures the design's scenario list names (stalls, resets, garbage, endless headers ...), so
// a test can drive the probe into every proxy_* and tls_* outcome without a real proxy.
#pragma once

#include "tests/support/io_thread.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <vector>

namespace proxywatch::testing {

namespace asio = boost::asio;

// A proxy on 127.0.0.1:port(), on its own thread, serving any number of connections at once.
// Every connection first reads one request head (CONNECT or anything else, at most 16 KiB,
// parsed by Beast) and records it; what follows depends on Options::behavior. A connection
// that opens with a TLS handshake record instead is closed at once. Connections that
// are "held" stay open until the client closes them or the proxy is destroyed. Thread-safe.
class FakeProxy {
 public:
  enum class Behavior {
    kRelay,               // "HTTP/1.1 200 Connection established", then relays both ways to
                          // 127.0.0.1:upstream_port whatever host the CONNECT names (FIN and RST
                          // are passed on as such); 502 if the upstream refuses
    kStatus,              // status_line, extra_headers, Content-Length and Connection: close
                          // (unless given), body; then FIN
    kNeverAnswer,         // reads the request, never answers, holds the connection
    kOkThenSilent,        // 200, then relays nothing and holds the connection
    kResetAfterConnect,   // 200, then RST at once (SO_LINGER {1, 0} and close)
    kResetOnClientHello,  // 200, then RST when the first byte of the ClientHello arrives
    kGarbageStatus,       // status_line verbatim (default "HTTP/1.1 2xx bogus\r\n"), then FIN
    kEndlessHeaders,      // "HTTP/1.1 200 OK\r\n" then "X-Filler-N: aaa…\r\n" lines as fast as
                          // the client reads, 1 MiB in all, never a blank line; then FIN
    kCloseBeforeAnswer,   // reads the request, then FIN without a byte of answer
    kCloseOnClientHello,  // 200, then FIN when the first byte of the ClientHello arrives (a
                          // proxy filtering by SNI)
    kHttpOnClientHello,   // 200, then when the ClientHello arrives the kStatus answer (a block
                          // page, a captive portal's redirect) inside the tunnel; then FIN
  };

  struct Options {
    Behavior behavior = Behavior::kRelay;
    std::uint16_t upstream_port = 0;           // kRelay: where every tunnel goes
    std::string status_line{};                 // kStatus, kHttpOnClientHello: without CRLF,
                                               // default 503
                                               // kGarbageStatus: raw bytes sent as they are
    std::vector<std::string> extra_headers{};  // kStatus, kHttpOnClientHello: "Name: value"
                                               // lines, without CRLF
    std::string body{};                        // kStatus, kHttpOnClientHello
    // When not empty, overrides `behavior`: the n-th connection (counting from 0, in the
    // order their request heads arrive) gets cycle[n % cycle.size()]. E.g. {kRelay,
    // kNeverAnswer} alternates a working tunnel with a stall.
    std::vector<Behavior> cycle{};
    // When above 0 (and `cycle` is empty): each connection gets `random_behavior` with this
    // probability, drawn independently (std::random_device seeds it), else `behavior`. A proxy
    // that fails a share of requests at random.
    double random_share = 0;
    Behavior random_behavior = Behavior::kStatus;
  };

  // Starts listening and serving; throws if the listener cannot be opened.
  explicit FakeProxy(Options options);
  // Stops the thread and closes every connection.
  ~FakeProxy();
  FakeProxy(const FakeProxy&) = delete;
  FakeProxy& operator=(const FakeProxy&) = delete;

  // The listening port on 127.0.0.1.
  std::uint16_t port() const { return port_; }

  // Every request head received so far, oldest first, each exactly as sent: request line and
  // header lines with their CRLFs, up to and including the blank line.
  std::vector<std::string> requests() const;

 private:
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> serve(asio::ip::tcp::socket socket);
  asio::awaitable<void> relay(asio::ip::tcp::socket client, std::string early_bytes);
  void record(std::string head);

  IoThread io_;  // first: destroyed last, after the sockets below
  const Options options_;
  asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
  std::size_t connections_ = 0;  // request heads served, for Options::cycle; io thread only
  std::mt19937_64 random_{std::random_device{}()};  // Options::random_share; io thread only
};

}  // namespace proxywatch::testing
