// Loopback ports for child-process servers: pick, probe, wait.
#include "tests/support/local_port.h"

#include "tests/support/wait.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <optional>

namespace proxywatch::testing {

namespace asio = boost::asio;

namespace {

const asio::ip::address_v4 kLoopback = asio::ip::make_address_v4("127.0.0.1");

}  // namespace

std::uint16_t pick_free_port() {
  asio::io_context context;
  asio::ip::tcp::acceptor acceptor(context, asio::ip::tcp::endpoint(kLoopback, 0));
  return acceptor.local_endpoint().port();
}

bool port_accepts(std::uint16_t port) {
  // A connect on loopback completes or is refused at once, so a blocking connect cannot hang.
  asio::io_context context;
  asio::ip::tcp::socket socket(context);
  boost::system::error_code ec;
  socket.connect(asio::ip::tcp::endpoint(kLoopback, port), ec);
  return !ec;
}

ListenerState wait_for_listener(ChildProcess& child, std::uint16_t port,
                                const std::function<bool()>& announced,
                                std::chrono::milliseconds deadline) {
  std::optional<ListenerState> state;
  wait_until(
      [&] {
        if (!child.running()) {
          state = ListenerState::kExited;
        } else if (announced() && port_accepts(port)) {
          state = ListenerState::kListening;
        }
        return state.has_value();
      },
      deadline, std::chrono::milliseconds(50));
  return state.value_or(ListenerState::kTimedOut);
}

std::string tail(const std::string& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t start = text.size() - max_bytes;
  const std::size_t newline = text.find('\n', start);
  if (newline != std::string::npos && newline + 1 < text.size()) start = newline + 1;
  return text.substr(start);
}

}  // namespace proxywatch::testing
