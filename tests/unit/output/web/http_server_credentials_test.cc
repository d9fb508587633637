// HttpServer with HttpSecurity::credentials (a web configuration that changes while it runs):
// the users are asked for per request, so users added or removed apply to the next request on
// the same listener; and a handler learns whether its request came with a right password
// (HttpQuery::authenticated), which the captures route relies on. Raw requests on
// 127.0.0.1:0 in the test's own io_context.
#include "common/output/web/basic_auth.h"
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

// "Basic " + base64("prometheus:se cret:pw€"), and with the last character cut.
constexpr const char* kCredentialsRight = "Basic cHJvbWV0aGV1czpzZSBjcmV0OnB34oKs";
constexpr const char* kCredentialsWrong = "Basic cHJvbWV0aGV1czpzZSBjcmV0OnB3";

// Sends `raw` on a fresh connection and returns everything the server sent until it closed.
asio::awaitable<std::string> credentials_exchange(tcp::endpoint endpoint, std::string raw) {
  tcp::socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect(endpoint, asio::use_awaitable);
  co_await asio::async_write(socket, asio::buffer(raw), asio::use_awaitable);
  std::string answer;
  // Until the server closes (Connection: close): the error is the expected eof.
  auto [ec, n] = co_await asio::async_read(socket, asio::dynamic_buffer(answer),
                                           asio::as_tuple(asio::use_awaitable));
  if (ec != asio::error::eof) answer += "(read ended with " + ec.message() + ")";
  co_return answer;
}

class HttpServerCredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServer::Handlers handlers;
    handlers["/who"] = [](const HttpQuery& query) {
      return HttpResponse{.body = query.authenticated() ? "authenticated" : "anonymous"};
    };
    HttpSecurity security;
    security.credentials = [this] { return HttpCredentials{nullptr, users_}; };
    server_ = std::make_unique<HttpServer>(
        context_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0), std::move(handlers),
        HttpServerLimits{}, std::move(security));
    ASSERT_TRUE(server_->start().has_value());
  }

  // The status line and body of GET /who with `authorization` ("" for none).
  std::string get(const std::string& authorization) {
    std::string request = "GET /who HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!authorization.empty()) request += "Authorization: " + authorization + "\r\n";
    std::string answer;
    bool done = false;
    asio::co_spawn(context_, credentials_exchange(server_->local_endpoint(), request + "\r\n"),
                   [&](std::exception_ptr, std::string text) {
                     answer = std::move(text);
                     done = true;
                   });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done && context_.run_one_until(deadline) > 0) {
    }
    EXPECT_TRUE(done);
    return answer.substr(0, answer.find("\r\n")) + " " + answer.substr(answer.find("\r\n\r\n") + 4);
  }

  std::shared_ptr<BasicAuth> users_;  // what the credentials hook gives now
  asio::io_context context_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerCredentialsTest, UsersOfNowDecideEachRequestAndHandlersKnowTheVerdict) {
  EXPECT_EQ(get(""), "HTTP/1.1 200 OK anonymous");
  EXPECT_EQ(get(kCredentialsRight), "HTTP/1.1 200 OK anonymous") << "no users: nothing checked";

  // htpasswd -nbB -C 4 prometheus 'se cret:pw€'
  users_ = std::make_shared<BasicAuth>(std::map<std::string, std::string>{
      {"prometheus", "$2y$04$qsVDvvlPi27qffvaeHvFXuL3H9dKy2zk7yW03uirvC6py00NxvPM2"}});
  EXPECT_EQ(get("").substr(0, 28), "HTTP/1.1 401 Unauthorized un");
  EXPECT_EQ(get(kCredentialsWrong).substr(0, 25), "HTTP/1.1 401 Unauthorized");
  EXPECT_EQ(get(kCredentialsRight), "HTTP/1.1 200 OK authenticated");

  users_ = nullptr;
  EXPECT_EQ(get(kCredentialsRight), "HTTP/1.1 200 OK anonymous");
}

}  // namespace
}  // namespace proxywatch
