// FakeProxy: one coroutine per connection; the request head is read raw (to record it exactly)
// and then validated by Beast's parser; the answers are raw bytes because most of them are
// deliberately not valid HTTP. No co_await appears inside an if condition: GCC 12 then evaluates
// await_transform against the wrong frame (ASan: heap-buffer-overflow in asio's awaitable.hpp).
#include "tests/support/fake_proxy.h"
#include "tests/support/server_limits.h"

#include "tests/support/relay.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace proxywatch::testing {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

constexpr std::size_t kMaxReads = 10'000'000;  // per held connection
constexpr std::size_t kEndlessHeadersBytes = 1024 * 1024;
constexpr std::string_view kBadGateway =
    "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

// The request head as received, and whatever the client sent after it (an eager ClientHello).
struct RequestHead {
  std::string raw;
  std::string early_bytes;
};

asio::awaitable<std::optional<RequestHead>> read_head(tcp::socket& socket) {
  std::string data;
  auto [ec, n] = co_await asio::async_read_until(socket, asio::dynamic_buffer(data, kHeaderLimit),
                                                 "\r\n\r\n", kAwait);
  if (ec) co_return std::nullopt;
  co_return RequestHead{data.substr(0, n), data.substr(n)};
}

// Whether `raw` is one well-formed request head (a malformed one gets no answer at all).
bool parses(const std::string& raw) {
  http::request_parser<http::empty_body> parser;
  parser.header_limit(kHeaderLimit);
  parser.eager(false);
  beast::error_code ec;
  parser.put(asio::buffer(raw), ec);
  return !ec && parser.is_header_done();
}

bool has_header(const std::vector<std::string>& headers, std::string_view name) {
  for (const std::string& line : headers) {
    const std::string_view text(line);
    if (text.size() > name.size() && text[name.size()] == ':' &&
        beast::iequals(text.substr(0, name.size()), name)) {
      return true;
    }
  }
  return false;
}

std::string status_answer(const FakeProxy::Options& options) {
  std::string text =
      options.status_line.empty() ? "HTTP/1.1 503 Service Unavailable" : options.status_line;
  text += "\r\n";
  for (const std::string& line : options.extra_headers) text += line + "\r\n";
  if (!has_header(options.extra_headers, "Content-Length")) {
    text += "Content-Length: " + std::to_string(options.body.size()) + "\r\n";
  }
  if (!has_header(options.extra_headers, "Connection")) text += "Connection: close\r\n";
  return text + "\r\n" + options.body;
}

asio::awaitable<bool> write_text(tcp::socket& socket, std::string_view text) {
  auto [ec, n] = co_await asio::async_write(socket, asio::buffer(text), kAwait);
  co_return !ec;
}

// Reads and discards until the peer closes or the proxy is destroyed.
asio::awaitable<void> hold(tcp::socket& socket) {
  std::array<char, 4096> sink;
  for (std::size_t i = 0; i < kMaxReads; ++i) {
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(sink), kAwait);
    if (ec) co_return;
  }
}

// Ends with a FIN, then drains until the client closes: closing with unread input would turn
// the FIN into an RST (RFC 9293 §3.6), and these behaviors are meant to be clean closes.
asio::awaitable<void> close_with_fin(tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  co_await hold(socket);
}

// Sends `text`, then ends with a FIN (see close_with_fin).
asio::awaitable<void> answer_and_close(tcp::socket& socket, std::string_view text) {
  const bool sent = co_await write_text(socket, text);
  if (sent) co_await close_with_fin(socket);
}

// Closes with an RST: SO_LINGER on with a zero timeout makes close() abort the connection.
void reset(tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.set_option(asio::socket_base::linger(true, 0), ignored);
  socket.close(ignored);
}

asio::awaitable<void> endless_headers(tcp::socket& socket) {
  const bool status_sent = co_await write_text(socket, "HTTP/1.1 200 OK\r\n");
  if (!status_sent) co_return;
  const std::string filler(64, 'a');
  std::size_t line = 0;
  for (std::size_t sent = 0; sent < kEndlessHeadersBytes;) {
    std::string batch;
    while (batch.size() < 16 * 1024) {
      batch += "X-Filler-" + std::to_string(line++) + ": " + filler + "\r\n";
    }
    // async_write completes only as the client reads: the pace is the client's.
    const bool batch_sent = co_await write_text(socket, batch);
    if (!batch_sent) co_return;
    sent += batch.size();
  }
  co_await close_with_fin(socket);
}

// 200, then an RST as soon as the client sends (or has already sent) its first byte.
asio::awaitable<void> reset_on_first_byte(tcp::socket& socket, bool nothing_sent_yet) {
  const bool answered = co_await write_text(socket, kEstablished);
  if (answered && nothing_sent_yet) {
    std::array<char, 1> first;
    co_await socket.async_read_some(asio::buffer(first), kAwait);
  }
  reset(socket);
}

// 200, then, once the client sends (or has already sent) its first byte, `answer` (none: no
// answer) and a FIN.
asio::awaitable<void> close_on_first_byte(tcp::socket& socket, bool nothing_sent_yet,
                                          std::string_view answer) {
  const bool answered = co_await write_text(socket, kEstablished);
  if (!answered) co_return;
  if (nothing_sent_yet) {
    std::array<char, 1> first;
    co_await socket.async_read_some(asio::buffer(first), kAwait);
  }
  co_await answer_and_close(socket, answer);
}

// Every behavior but kRelay, once the request head has been read.
asio::awaitable<void> misbehave(tcp::socket& socket, const FakeProxy::Options& options,
                                FakeProxy::Behavior behavior, bool nothing_sent_yet) {
  using Behavior = FakeProxy::Behavior;
  switch (behavior) {
    case Behavior::kRelay:  // FakeProxy::relay()
      co_return;
    case Behavior::kStatus:
      co_await answer_and_close(socket, status_answer(options));
      co_return;
    case Behavior::kNeverAnswer:
      co_await hold(socket);
      co_return;
    case Behavior::kOkThenSilent:
      co_await write_text(socket, kEstablished);
      co_await hold(socket);  // returns at once if the write failed
      co_return;
    case Behavior::kResetAfterConnect:
      co_await write_text(socket, kEstablished);
      reset(socket);
      co_return;
    case Behavior::kResetOnClientHello:
      co_await reset_on_first_byte(socket, nothing_sent_yet);
      co_return;
    case Behavior::kGarbageStatus: {
      const std::string garbage =
          options.status_line.empty() ? "HTTP/1.1 2xx bogus\r\n" : options.status_line;
      co_await answer_and_close(socket, garbage);
      co_return;
    }
    case Behavior::kEndlessHeaders:
      co_await endless_headers(socket);
      co_return;
    case Behavior::kCloseBeforeAnswer:
      co_await close_with_fin(socket);
      co_return;
    case Behavior::kCloseOnClientHello:
      co_await close_on_first_byte(socket, nothing_sent_yet, "");
      co_return;
    case Behavior::kHttpOnClientHello:
      co_await close_on_first_byte(socket, nothing_sent_yet, status_answer(options));
      co_return;
  }
}

}  // namespace

FakeProxy::FakeProxy(Options options)
    : options_(std::move(options)), acceptor_(listen_on_loopback(io_.context())) {
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(io_.context(), accept_loop(), report_exception);
  io_.start();
}

FakeProxy::~FakeProxy() {
  io_.stop();
}

std::vector<std::string> FakeProxy::requests() const {
  const std::lock_guard lock(mutex_);
  return requests_;
}

void FakeProxy::record(std::string head) {
  const std::lock_guard lock(mutex_);
  requests_.push_back(std::move(head));
}

asio::awaitable<void> FakeProxy::accept_loop() {
  for (std::size_t i = 0; i < kMaxConnections; ++i) {
    auto [ec, socket] = co_await acceptor_.async_accept(kAwait);
    if (ec) co_return;
    asio::co_spawn(acceptor_.get_executor(), serve(std::move(socket)), report_exception);
  }
}

asio::awaitable<void> FakeProxy::serve(tcp::socket socket) {
  // A TLS handshake record where a request belongs (the probe's check of a port that speaks
  // TLS): refused at once, as an HTTP proxy refuses it, instead of held until 16 KiB arrive.
  std::array<char, 1> first{};
  auto [peek_error, peeked] =
      co_await socket.async_receive(asio::buffer(first), tcp::socket::message_peek, kAwait);
  if (peek_error || first[0] == '\x16') co_return;
  std::optional<RequestHead> head = co_await read_head(socket);
  if (!head) co_return;
  record(head->raw);
  if (!parses(head->raw)) co_return;
  Behavior behavior = options_.cycle.empty()
                          ? options_.behavior
                          : options_.cycle[connections_++ % options_.cycle.size()];
  if (options_.cycle.empty() && options_.random_share > 0 &&
      std::bernoulli_distribution(options_.random_share)(random_)) {
    behavior = options_.random_behavior;
  }
  if (behavior == Behavior::kRelay) {
    co_await relay(std::move(socket), std::move(head->early_bytes));
  } else {
    co_await misbehave(socket, options_, behavior, head->early_bytes.empty());
  }
}

asio::awaitable<void> FakeProxy::relay(tcp::socket client, std::string early_bytes) {
  tcp::socket upstream(client.get_executor());
  const tcp::endpoint target(asio::ip::make_address_v4("127.0.0.1"), options_.upstream_port);
  const auto [connect_error] = co_await upstream.async_connect(target, kAwait);
  if (connect_error) {
    co_await answer_and_close(client, kBadGateway);
    co_return;
  }
  const bool established = co_await write_text(client, kEstablished);
  if (!established) co_return;
  const bool forwarded = co_await write_text(upstream, early_bytes);  // empty: no-op
  if (!forwarded) co_return;
  co_await relay_both_ways(client, upstream);
}

}  // namespace proxywatch::testing
