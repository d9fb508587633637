// WebhookReceiver: Beast reads each POST, Boost.JSON reads Alertmanager's payload.
#include "tests/support/webhook_receiver.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>

#include "tests/support/server_limits.h"

namespace proxywatch::testing {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

std::map<std::string, std::string> webhook_labels(const json::value* v) {
  std::map<std::string, std::string> out;
  if (!v || !v->is_object()) return out;
  for (const auto& [key, value] : v->get_object()) {
    if (value.is_string()) out[std::string(key)] = std::string(value.get_string());
  }
  return out;
}

std::string webhook_text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : "";
}

Notification read_notification(std::string path, std::string body) {
  Notification n{.at = std::chrono::steady_clock::now(), .path = std::move(path)};
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (!ec && v.is_object()) {
    const json::object& o = v.get_object();
    n.status = webhook_text(o, "status");
    n.group_labels = webhook_labels(o.if_contains("groupLabels"));
    if (const json::value* alerts = o.if_contains("alerts"); alerts && alerts->is_array()) {
      for (const json::value& a : alerts->get_array()) {
        if (!a.is_object()) continue;
        n.alerts.push_back(webhook_labels(a.get_object().if_contains("labels")));
        n.alert_statuses.push_back(webhook_text(a.get_object(), "status"));
        n.runbook_urls.push_back(
            webhook_labels(a.get_object().if_contains("annotations"))["runbook_url"]);
      }
    }
  }
  n.body = std::move(body);
  return n;
}

}  // namespace

WebhookReceiver::WebhookReceiver() : acceptor_(listen_on_loopback(io_.context())) {
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(io_.context(), accept_loop(), report_exception);
  io_.start();
}

WebhookReceiver::~WebhookReceiver() {
  io_.stop();
}

std::string WebhookReceiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<Notification> WebhookReceiver::notifications() const {
  std::lock_guard lock(mutex_);
  return notifications_;
}

asio::awaitable<void> WebhookReceiver::accept_loop() {
  for (std::size_t i = 0; i < kMaxConnections; ++i) {
    auto [ec, socket] = co_await acceptor_.async_accept(kAwait);
    if (ec) co_return;
    asio::co_spawn(acceptor_.get_executor(), serve(std::move(socket)), report_exception);
  }
}

asio::awaitable<void> WebhookReceiver::serve(asio::ip::tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  constexpr std::size_t kMaxRequests = 10'000;
  for (std::size_t i = 0; i < kMaxRequests; ++i) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(4 * 1024 * 1024);
    stream.expires_after(std::chrono::seconds(60));
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, kAwait);
    if (ec) co_return;
    const auto& request = parser.get();
    if (request.method() == http::verb::post) {
      std::lock_guard lock(mutex_);
      notifications_.push_back(
          read_notification(std::string(request.target()), std::string(request.body())));
    }
    http::response<http::string_body> answer{http::status::ok, request.version()};
    answer.keep_alive(request.keep_alive());
    answer.prepare_payload();
    auto [wec, w] = co_await http::async_write(stream, answer, kAwait);
    if (wec || !request.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

}  // namespace proxywatch::testing
