// AuthProxy: request heads read raw, credentials checked from first principles (Basic: base64
// of user:password; Digest: RFC 7616 §3.4.1 with qop=auth), answers written raw.
#include "tests/support/auth_proxy.h"
#include "tests/support/server_limits.h"

#include <openssl/evp.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <cstdio>

#include "common/probe/auth_challenge.h"
#include "tests/support/relay.h"

namespace proxywatch::testing {
namespace {

namespace http = boost::beast::http;
using asio::ip::tcp;

constexpr int kMaxRequestsPerConnection = 16;
constexpr std::string_view kBody = "proxy authentication required\n";

}  // namespace

std::string hex_digest(const std::string& algorithm, const std::string& text) {
  const EVP_MD* md = algorithm == "SHA-256" ? EVP_sha256() : EVP_md5();
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned size = 0;
  EVP_Digest(text.data(), text.size(), out.data(), &size, md, nullptr);
  std::string hex;
  char two[3];
  for (unsigned i = 0; i < size; ++i) {
    std::snprintf(two, sizeof two, "%02x", out[i]);
    hex += two;
  }
  return hex;
}

namespace {

std::string base64(const std::string& text) {
  std::string out(4 * ((text.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string param(const AuthChallenge& c, const char* name) {
  auto it = c.params.find(name);
  return it == c.params.end() ? std::string() : it->second;
}

asio::awaitable<bool> send(tcp::socket& socket, std::string text) {
  auto [ec, n] = co_await asio::async_write(socket, asio::buffer(text), kAwait);
  co_return !ec;
}

}  // namespace

AuthProxy::AuthProxy(Options options)
    : options_(std::move(options)), acceptor_(listen_on_loopback(io_.context())) {
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(io_.context(), accept_loop(), report_exception);
  io_.start();
}

AuthProxy::~AuthProxy() {
  io_.stop();
}

std::vector<AuthProxy::Request> AuthProxy::requests() const {
  const std::lock_guard lock(mutex_);
  return requests_;
}

asio::awaitable<void> AuthProxy::accept_loop() {
  for (int i = 0; i < static_cast<int>(kMaxConnections); ++i) {
    auto [ec, socket] = co_await acceptor_.async_accept(kAwait);
    if (ec) co_return;
    asio::co_spawn(acceptor_.get_executor(), serve(std::move(socket), i), report_exception);
  }
}

std::string AuthProxy::challenge(bool stale) {
  if (options_.scheme == "Basic") return "Basic realm=\"" + options_.realm + "\"";
  nonce_ = "nonce-" + std::to_string(++nonces_issued_);
  return "Digest realm=\"" + options_.realm + "\", nonce=\"" + nonce_ +
         "\", qop=\"auth\", algorithm=" + options_.algorithm + ", opaque=\"opaque-1\"" +
         (stale ? ", stale=true" : "");
}

std::string AuthProxy::check(const std::string& authorization) {
  if (options_.scheme == "Basic") {
    bool ok = authorization == "Basic " + base64(options_.user + ":" + options_.password);
    return ok ? "" : challenge(false);
  }
  std::vector<AuthChallenge> parsed;
  parse_auth_challenges(authorization, parsed);
  if (parsed.size() != 1 || !parsed[0].is("Digest")) return challenge(false);
  const AuthChallenge& a = parsed[0];
  const std::string& alg = options_.algorithm;
  std::string ha1 = hex_digest(alg, options_.user + ":" + options_.realm + ":" + options_.password);
  std::string ha2 = hex_digest(alg, "CONNECT:" + param(a, "uri"));
  std::string expected = hex_digest(alg, ha1 + ":" + param(a, "nonce") + ":" + param(a, "nc") +
                                             ":" + param(a, "cnonce") + ":auth:" + ha2);
  bool right = param(a, "username") == options_.user && param(a, "realm") == options_.realm &&
               param(a, "response") == expected && param(a, "qop") == "auth" &&
               param(a, "opaque") == "opaque-1";
  if (!right) return challenge(false);
  if (param(a, "nonce") != nonce_) return challenge(true);
  if (options_.stale_always) return challenge(true);
  if (options_.stale_once && !staled_) {
    staled_ = true;
    return challenge(true);
  }
  return "";
}

asio::awaitable<void> AuthProxy::serve(tcp::socket socket, int connection) {
  std::string data;
  for (int i = 0; i < kMaxRequestsPerConnection; ++i) {
    auto [ec, n] = co_await asio::async_read_until(socket, asio::dynamic_buffer(data, 16 * 1024),
                                                   "\r\n\r\n", kAwait);
    if (ec) co_return;
    std::string head = data.substr(0, n);
    data.erase(0, n);
    {
      const std::lock_guard lock(mutex_);
      requests_.push_back({head, connection});
    }
    http::request_parser<http::empty_body> parser;
    boost::system::error_code parse_ec;
    parser.put(asio::buffer(head), parse_ec);
    if (parse_ec) co_return;
    std::string authorization(parser.get()[http::field::proxy_authorization]);
    std::string refusal = authorization.empty() ? challenge(false) : check(authorization);
    if (refusal.empty()) break;
    std::string answer =
        "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: " + refusal +
        "\r\nContent-Length: " + std::to_string(kBody.size()) +
        (options_.close_after_407 ? "\r\nConnection: close" : "") + "\r\n\r\n" + std::string(kBody);
    bool sent = co_await send(socket, answer);
    if (!sent) co_return;
    if (options_.close_after_407 || options_.fin_despite_keep_alive) {
      boost::system::error_code ignored;
      socket.shutdown(tcp::socket::shutdown_send, ignored);
      co_return;
    }
  }
  tcp::socket upstream(socket.get_executor());
  auto [connect_ec] = co_await upstream.async_connect(
      tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), options_.upstream_port), kAwait);
  if (connect_ec) co_return;
  bool established = co_await send(socket, "HTTP/1.1 200 Connection established\r\n\r\n");
  if (established) co_await relay_both_ways(socket, upstream);
}

}  // namespace proxywatch::testing
