// TcpForwarder: one appliance's own network path to a shared proxy. It listens on an address and
// port of its own (127.0.0.N:PORT) and relays every connection both ways to the proxy, so that
// appliances which resolve the same proxy name to different loopback addresses all reach one
// proxy under one `proxy` label, and a test can cut one appliance's path (break()) while the
// proxy itself stays fine.
#pragma once

#include "tests/support/io_thread.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <string>

namespace proxywatch::testing {

class TcpForwarder {
 public:
  // Listens on `address`:`port` (throws when it cannot bind) and forwards to
  // 127.0.0.1:`upstream_port`.
  TcpForwarder(const std::string& address, std::uint16_t port, std::uint16_t upstream_port);
  ~TcpForwarder();
  TcpForwarder(const TcpForwarder&) = delete;
  TcpForwarder& operator=(const TcpForwarder&) = delete;

  // Cuts the path: the listener closes, so a new connection is refused (as a router's reject
  // would make it), and the established ones are left to end.
  void cut();

 private:
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> forward(asio::ip::tcp::socket client);

  IoThread io_;  // first: destroyed last
  asio::ip::tcp::acceptor acceptor_;
  std::uint16_t upstream_port_;
};

}  // namespace proxywatch::testing
