// TlsOrigin: the HTTPS server at the far end of the tunnel, standing in for tools.cisco.com. It
// answers the probe's optional HTTP request and can misbehave on purpose (downloads cut short
// or gone silent), which is how the tests reach the http_* outcomes.
#pragma once

#include "tests/support/io_thread.h"
#include "tests/support/test_pki.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace proxywatch::testing {

namespace asio = boost::asio;

// An HTTP/1.1-over-TLS server on 127.0.0.1:port(), on its own thread, serving any number of
// connections at once (keep-alive honoured). Routes, for any method:
//   /           302 Found, Location: https://www.cisco.com/ (as tools.cisco.com answers)
//   /bytes/N    200 with Content-Length N and N bytes ('a'..'z' repeating)
//   /cut/N      Content-Length N, N/2 bytes, then a TCP close without TLS close_notify
//   /silent/N   Content-Length N, N/2 bytes, then nothing; the connection is held until the
//               client closes it or the server is destroyed
//   /drip/N     Content-Length N, then 100 bytes every 50 ms: slow but never silent
//   /bad-length Content-Length: -5, which no parser may accept
//   /status/N   status N (200..599) with a short text body
//   otherwise   404 Not Found
// HEAD gets the same head without the body. The query string is ignored. Thread-safe accessors.
// A test that needs a TLS origin writes `TlsOrigin origin;` and trusts shared_pki().ca.
class TlsOrigin {
 public:
  // Serves `leaf`; by default the shared PKI's origin.test certificate (issued by
  // "CN=proxywatch test CA", see shared_pki()), which is what most tests probe.
  explicit TlsOrigin(const LeafCertificate& leaf = shared_pki().origin);
  // Loads the PEM certificate chain and key and starts serving; throws on unreadable files.
  TlsOrigin(const std::filesystem::path& cert_file, const std::filesystem::path& key_file);
  // Stops the thread and closes every connection.
  ~TlsOrigin();
  TlsOrigin(const TlsOrigin&) = delete;
  TlsOrigin& operator=(const TlsOrigin&) = delete;

  // The listening port on 127.0.0.1.
  std::uint16_t port() const { return port_; }

  // How many complete request heads have been received (each one is answered).
  std::size_t requests_served() const { return requests_served_.load(); }

 private:
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> serve(asio::ip::tcp::socket socket);

  IoThread io_;  // first: destroyed last, after the sockets below
  asio::ssl::context tls_;
  asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<std::size_t> requests_served_{0};
};

}  // namespace proxywatch::testing
