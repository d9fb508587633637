// Blocking Beast clients, one thread each.
#include "tests/support/listener_load.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace proxywatch::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;

ListenerLoad::~ListenerLoad() {
  stop();
}

void ListenerLoad::add(int count, const std::string& source, const std::string& authorization,
                       std::vector<std::string> paths) {
  for (int i = 0; i < count; ++i) {
    clients_.emplace_back(
        [this, source, authorization, paths] { run(source, authorization, paths); });
  }
}

void ListenerLoad::stop() {
  stop_ = true;
  for (std::thread& t : clients_) t.join();
  clients_.clear();
}

ListenerLoad::Seen ListenerLoad::seen() {
  std::lock_guard lock(mutex_);
  return seen_;
}

void ListenerLoad::run(std::string source, std::string authorization,
                       std::vector<std::string> paths) {
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 15);
  asio::io_context io;
  const asio::ip::tcp::endpoint server(asio::ip::make_address("127.0.0.1"), port_);
  std::size_t next = 0;
  while (!stop_) {
    boost::beast::tcp_stream stream(io);
    boost::system::error_code ec;
    stream.socket().open(asio::ip::tcp::v4(), ec);
    if (!ec) stream.socket().bind({asio::ip::make_address(source), 0}, ec);
    if (!ec) stream.socket().connect(server, ec);
    if (ec) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // e.g. out of descriptors
      continue;
    }
    // A reply that never comes ends the client's read after 5 s, not the test.
    timeval limit{5, 0};
    ::setsockopt(stream.socket().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    boost::beast::flat_buffer buffer;
    while (!stop_ && !ec) {
      http::request<http::empty_body> request(http::verb::get, paths[next++ % paths.size()], 11);
      request.set(http::field::host, "127.0.0.1");
      if (!authorization.empty()) request.set(http::field::authorization, authorization);
      const auto start = std::chrono::steady_clock::now();
      http::write(stream.socket(), request, ec);
      http::response<http::string_body> response;
      if (!ec) http::read(stream.socket(), buffer, response, ec);
      if (ec) break;
      const double took =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::lock_guard lock(mutex_);
      ++seen_.statuses[response.result_int()];
      if (response.result_int() == 200) seen_.slowest_ok = std::max(seen_.slowest_ok, took);
      if (!response.keep_alive()) break;
    }
  }
}

}  // namespace proxywatch::testing
