// HttpServer's Host check (HttpSecurity::allow_host) against DNS rebinding: a request for
// another host is refused with 421 before authentication, the listener's own address and a
// configured name go on to authentication (401 here: the requests carry no password), and so
// does a request without Host (HTTP/1.0). Raw requests
// on 127.0.0.1:0 in the test's own io_context.
#include "common/output/web/basic_auth.h"
#include "common/output/web/host_allow_list.h"
#include "common/output/web/http_server.h"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>

namespace proxywatch {
namespace {

using asio::ip::tcp;

// Sends `raw` on a fresh connection and returns everything the server sent until it closed.
asio::awaitable<std::string> host_check_exchange(tcp::endpoint endpoint, std::string raw) {
  tcp::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect(endpoint, asio::use_awaitable);
  co_await asio::async_write(socket, asio::buffer(raw), asio::use_awaitable);
  std::string answer;
  // Until the server closes (Connection: close, or HTTP/1.0): the error is the expected eof.
  auto [ec, n] = co_await asio::async_read(socket, asio::dynamic_buffer(answer),
                                           asio::as_tuple(asio::use_awaitable));
  if (ec != asio::error::eof) answer += "\r\n(read ended with " + ec.message() + ")";
  co_return answer;
}

class HttpServerHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServer::Handlers handlers;
    handlers["/status.json"] = [](const HttpQuery&) {
      return HttpResponse{200, "application/json", "{\"secret\":1}"};
    };
    HttpSecurity security;
    auto list = std::make_shared<const HostAllowList>(asio::ip::make_address("127.0.0.1"),
                                                      std::vector<std::string>{"fmc.example"});
    security.allow_host = [list](std::string_view host) { return list->allows(host); };
    // htpasswd -nbB -C 4 prometheus 'se cret:pw€'
    security.users = std::make_shared<BasicAuth>(std::map<std::string, std::string>{
        {"prometheus", "$2y$04$qsVDvvlPi27qffvaeHvFXuL3H9dKy2zk7yW03uirvC6py00NxvPM2"}});
    server_ = std::make_unique<HttpServer>(
        context_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0), std::move(handlers),
        HttpServerLimits{}, std::move(security));
    ASSERT_TRUE(server_->start().has_value());
  }

  // The status line of the answer to `request_head` (sent with "\r\n" after it).
  std::string status_line(const std::string& request_head) {
    std::string answer;
    bool done = false;
    asio::co_spawn(context_, host_check_exchange(server_->local_endpoint(), request_head + "\r\n"),
                   [&](std::exception_ptr, std::string text) {
                     answer = std::move(text);
                     done = true;
                   });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done && context_.run_one_until(deadline) > 0) {
    }
    EXPECT_TRUE(done) << request_head;
    return answer.substr(0, answer.find("\r\n"));
  }

  asio::io_context context_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerHostTest, ARebindingHostIsRefusedAndOwnNamesAreServed) {
  const std::string get = "GET /status.json HTTP/1.1\r\nConnection: close\r\n";
  EXPECT_EQ(status_line(get + "Host: attacker.example:39555\r\n"),
            "HTTP/1.1 421 Misdirected Request");
  // The absolute form's authority is the request's host, whatever Host says (RFC 9112 §3.2.2).
  EXPECT_EQ(status_line("GET http://attacker.example/status.json HTTP/1.1\r\nHost: localhost\r\n"
                        "Connection: close\r\n"),
            "HTTP/1.1 421 Misdirected Request");
  EXPECT_EQ(status_line(get + "Host: 127.0.0.1:39555\r\n"), "HTTP/1.1 401 Unauthorized");
  EXPECT_EQ(status_line(get + "Host: FMC.example.:8080\r\n"), "HTTP/1.1 401 Unauthorized");
  EXPECT_EQ(status_line(get + "Host: [::1]\r\n"), "HTTP/1.1 401 Unauthorized");
  EXPECT_EQ(status_line("GET http://fmc.example:39555/status.json HTTP/1.1\r\n"
                        "Host: attacker.example\r\nConnection: close\r\n"),
            "HTTP/1.1 401 Unauthorized");
  EXPECT_EQ(status_line("GET /status.json HTTP/1.0\r\n"), "HTTP/1.0 401 Unauthorized");
}

}  // namespace
}  // namespace proxywatch
