// The routes of the test origins (TlsOrigin over TLS, HttpOrigin in plain HTTP): one answer per
// request target, written so that a response can stop halfway (tls_origin.h lists them). Each
// function is a template over the stream: beast::ssl_stream<beast::tcp_stream> or
// beast::tcp_stream, whose lowest layer carries the per-operation deadlines. Internal to the two
// origins. No co_await appears inside an if condition: GCC 12 then evaluates await_transform
// against the wrong frame (ASan: heap-buffer-overflow in asio's awaitable.hpp).
#pragma once

#include "tests/support/server_limits.h"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace proxywatch::testing::origin_routes {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

using Request = http::request<http::empty_body>;

inline constexpr auto kIdleTimeout = std::chrono::seconds(60);
inline constexpr std::size_t kMaxRequestsPerConnection = 100'000;
inline constexpr std::uint64_t kMaxBodyBytes = std::uint64_t{1} << 34;  // 16 GiB
inline constexpr std::size_t kMaxHoldReads = 1'000'000;

enum class RouteKind { kRedirect, kBytes, kCut, kSilent, kDrip, kStatus, kBadLength, kNotFound };

struct Route {
  RouteKind kind = RouteKind::kNotFound;
  std::uint64_t n = 0;
};

inline std::optional<std::uint64_t> parse_number(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

inline Route route_for(std::string_view target) {
  target = target.substr(0, target.find('?'));
  if (target == "/") return {RouteKind::kRedirect, 0};
  if (target == "/bad-length") return {RouteKind::kBadLength, 0};
  constexpr std::array<std::pair<std::string_view, RouteKind>, 5> kPrefixes{{
      {"/bytes/", RouteKind::kBytes},
      {"/cut/", RouteKind::kCut},
      {"/silent/", RouteKind::kSilent},
      {"/drip/", RouteKind::kDrip},
      {"/status/", RouteKind::kStatus},
  }};
  for (const auto& [prefix, kind] : kPrefixes) {
    if (!target.starts_with(prefix)) continue;
    const auto n = parse_number(target.substr(prefix.size()));
    if (!n) return {};
    if (kind == RouteKind::kStatus && (*n < 200 || *n > 599)) return {};
    if (kind != RouteKind::kStatus && *n > kMaxBodyBytes) return {};
    return {kind, *n};
  }
  return {};
}

// Writes `count` body bytes, 'a'..'z' repeating; returns false if the peer went away.
template <class Stream>
asio::awaitable<bool> write_pattern(Stream& stream, std::uint64_t count) {
  static const std::string kChunk = [] {
    std::string chunk(64 * 26 * 26, '\0');  // a multiple of 26, so every chunk starts with 'a'
    for (std::size_t i = 0; i < chunk.size(); ++i) chunk[i] = static_cast<char>('a' + i % 26);
    return chunk;
  }();
  for (std::uint64_t sent = 0; sent < count;) {
    const std::size_t size =
        static_cast<std::size_t>(std::min<std::uint64_t>(count - sent, kChunk.size()));
    beast::get_lowest_layer(stream).expires_after(kIdleTimeout);
    auto [ec, n] = co_await asio::async_write(stream, asio::buffer(kChunk.data(), size), kAwait);
    if (ec) co_return false;
    sent += n;
  }
  co_return true;
}

// Writes a response head announcing `content_length` bytes (none for 204 and 304); returns
// false if the peer went away.
template <class Stream>
asio::awaitable<bool> write_head(Stream& stream, const Request& request, http::status status,
                                 std::uint64_t content_length, std::string_view location = {}) {
  http::response<http::empty_body> head{status, request.version()};
  head.set(http::field::server, "proxywatch-test-origin");
  if (!location.empty()) head.set(http::field::location, location);
  if (status != http::status::no_content && status != http::status::not_modified) {
    head.content_length(content_length);
  }
  head.keep_alive(request.keep_alive());
  http::response_serializer<http::empty_body> serializer{head};
  beast::get_lowest_layer(stream).expires_after(kIdleTimeout);
  auto [ec, n] = co_await http::async_write_header(stream, serializer, kAwait);
  co_return !ec;
}

// A complete answer with a short text body; returns whether the connection may be reused.
template <class Stream>
asio::awaitable<bool> answer(Stream& stream, const Request& request, http::status status,
                             std::string_view location = {}) {
  const bool has_body = status != http::status::no_content &&
                        status != http::status::not_modified && status != http::status::found;
  const std::string body = has_body ? std::to_string(static_cast<unsigned>(status)) + "\n" : "";
  const bool head_sent = co_await write_head(stream, request, status, body.size(), location);
  if (!head_sent) co_return false;
  if (request.method() != http::verb::head && !body.empty()) {
    beast::get_lowest_layer(stream).expires_after(kIdleTimeout);
    auto [ec, n] = co_await asio::async_write(stream, asio::buffer(body), kAwait);
    if (ec) co_return false;
  }
  co_return request.keep_alive();
}

// Reads and discards until the peer closes or the server is destroyed: the "silent" origin.
template <class Stream>
asio::awaitable<void> hold(Stream& stream) {
  beast::get_lowest_layer(stream).expires_never();
  std::array<char, 4096> sink;
  for (std::size_t i = 0; i < kMaxHoldReads; ++i) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kAwait);
    if (ec) co_return;
  }
}

// /bytes/N: the head and all N bytes (none for HEAD); returns whether to reuse the connection.
template <class Stream>
asio::awaitable<bool> send_bytes(Stream& stream, const Request& request, std::uint64_t n) {
  const bool head_sent = co_await write_head(stream, request, http::status::ok, n);
  if (!head_sent) co_return false;
  if (request.method() == http::verb::head) co_return request.keep_alive();
  const bool body_sent = co_await write_pattern(stream, n);
  if (!body_sent) co_return false;
  co_return request.keep_alive();
}

// /cut/N and /silent/N: the head announces N bytes and N/2 follow; then a TCP close without
// close_notify, so the client sees a truncated TLS stream (/cut), or silence until the client or
// the server ends it (/silent). Returns whether to reuse the connection (only after HEAD).
template <class Stream>
asio::awaitable<bool> send_half(Stream& stream, const Request& request, Route route) {
  const bool head_sent = co_await write_head(stream, request, http::status::ok, route.n);
  if (!head_sent) co_return false;
  if (request.method() == http::verb::head) co_return request.keep_alive();
  const bool half_sent = co_await write_pattern(stream, route.n / 2);
  if (!half_sent) co_return false;
  if (route.kind == RouteKind::kSilent) co_await hold(stream);
  beast::get_lowest_layer(stream).close();
  co_return false;
}

// /drip/N: the head announces N bytes, which follow 100 at a time every 50 ms: a transfer that
// never stalls but is slow. Ends the connection after the body.
template <class Stream>
asio::awaitable<bool> send_drip(Stream& stream, const Request& request, std::uint64_t n) {
  const bool head_sent = co_await write_head(stream, request, http::status::ok, n);
  if (!head_sent || request.method() == http::verb::head) co_return false;
  asio::steady_timer timer(stream.get_executor());
  for (std::uint64_t sent = 0; sent < n; sent += 100) {
    if (!co_await write_pattern(stream, std::min<std::uint64_t>(100, n - sent))) co_return false;
    timer.expires_after(std::chrono::milliseconds(50));
    co_await timer.async_wait(kAwait);
  }
  co_return false;
}

// /bad-length: a head whose Content-Length is not a number, which a parser must refuse.
template <class Stream>
asio::awaitable<bool> send_bad_length(Stream& stream) {
  static const std::string kHead =
      "HTTP/1.1 200 OK\r\nServer: proxywatch-test-origin\r\nContent-Length: -5\r\n\r\nabc";
  beast::get_lowest_layer(stream).expires_after(kIdleTimeout);
  co_await asio::async_write(stream, asio::buffer(kHead), kAwait);
  co_return false;
}

// Answers one request per its route; returns whether the connection may be reused.
template <class Stream>
asio::awaitable<bool> respond(Stream& stream, const Request& request) {
  const Route route = route_for(request.target());
  switch (route.kind) {
    case RouteKind::kRedirect:
      co_return co_await answer(stream, request, http::status::found, "https://www.cisco.com/");
    case RouteKind::kStatus:
      co_return co_await answer(stream, request, static_cast<http::status>(route.n));
    case RouteKind::kBytes:
      co_return co_await send_bytes(stream, request, route.n);
    case RouteKind::kCut:
    case RouteKind::kSilent:
      co_return co_await send_half(stream, request, route);
    case RouteKind::kDrip:
      co_return co_await send_drip(stream, request, route.n);
    case RouteKind::kBadLength:
      co_return co_await send_bad_length(stream);
    case RouteKind::kNotFound:
      break;
  }
  co_return co_await answer(stream, request, http::status::not_found);
}

}  // namespace proxywatch::testing::origin_routes
