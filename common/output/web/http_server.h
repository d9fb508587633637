// HttpServer: the daemon's small HTTP/1.1 listener (/metrics, and the status page at /). It
// runs as Boost.Beast coroutines on the caller's io_context, on that one thread and without
// locks, and serves fixed paths from handler functions. Deliberately minimal: GET and HEAD
// only, no request bodies, bounded headers, a short deadline for the first byte of a request, a
// read deadline per request and a cap on connections with eviction of the longest-idle one, so
// that a scraper or a stranger on the listen address cannot tie up the daemon.
//
// Thread-safety: not thread-safe; call every member from the io_context's thread (or before it
// runs). Handlers run on that thread too. Destroy the server before its io_context.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/system/result.hpp>

#include "common/error.h"

namespace proxywatch {

namespace asio = boost::asio;

namespace detail {
struct HttpServerState;  // defined in http_server.cc
}  // namespace detail

// What a handler answers; the server adds Content-Length, Connection and Server.
struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// A request's query parameters ("?range=7d&target=a%20b"), percent-decoded by Boost.URL, in
// their order. A query that does not parse is empty.
class HttpQuery {
 public:
  HttpQuery() = default;
  // The query of `target` (origin-form or absolute-form request-target).
  explicit HttpQuery(std::string_view target);
  // The first value of `name`; nullopt when absent ("?flag" has the value "").
  std::optional<std::string> get(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& params() const { return params_; }
  // The request's path as sent (percent-encoded, without the query); "" when it did not parse.
  const std::string& path() const { return path_; }

 private:
  std::vector<std::pair<std::string, std::string>> params_;
  std::string path_;
};

// Limits per listener; the defaults are the daemon's.
// When max_connections are open, a new connection evicts the one that has waited longest for
// a request (nothing sent, or idle between requests), else the one that has spent longest
// reading one (a slowloris); only when every connection is being answered is the new one
// closed at once. So 2,000 idle and 200 slowloris connections still leave a scrape its answer.
struct HttpServerLimits {
  std::size_t max_connections = 64;     // open at once; see above for the 65th
  std::size_t header_limit = 8 * 1024;  // request line and headers, in bytes (more → 431)
  std::chrono::milliseconds idle_timeout{3'000};   // for the first byte of each request
  std::chrono::milliseconds read_timeout{10'000};  // per request, and per response write
};

// Who may use a listener that is reachable off loopback (docs/fleet.md, the web configuration
// file): TLS, and HTTP basic authentication.
struct HttpSecurity {
  // The server's certificate and key; null: plain HTTP. With TLS, a client that does not start
  // a TLS handshake (plain HTTP included) is disconnected without an answer.
  std::shared_ptr<asio::ssl::context> tls;
  // Whether an Authorization header value is acceptable (BasicAuth::check); null: no
  // authentication. A request without acceptable credentials gets 401 with
  // `WWW-Authenticate: Basic realm="proxywatch"`.
  std::function<bool(std::string_view authorization)> authorize;
  // Whether the listener answers for a request's host (HostAllowList::allows, against DNS
  // rebinding); null: every host. Asked before authentication with the Host header, or the
  // authority of an absolute-form target; a request for another host gets 421 Misdirected
  // Request (RFC 9110 §15.5.20), one without either (HTTP/1.0) is served.
  std::function<bool(std::string_view host)> allow_host;
};

class HttpServer {
 public:
  using Response = HttpResponse;
  // Called with the request's query parameters.
  using Handler = std::function<Response(const HttpQuery& query)>;
  // Path (without query) → handler, e.g. "/metrics". A path ending in '/' (not "/" itself)
  // also serves every path below it ("/captures/" serves "/captures/NAME"; the handler reads
  // which from HttpQuery::path()).
  using Handlers = std::map<std::string, Handler, std::less<>>;

  // Prepares a listener on `endpoint` (port 0 picks a free port); nothing is bound until start().
  HttpServer(asio::io_context& context, asio::ip::tcp::endpoint endpoint, Handlers handlers,
             HttpServerLimits limits = {}, HttpSecurity security = {});
  // Calls stop().
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts accepting on the io_context; call once. Returns the error instead
  // of throwing when the endpoint cannot be bound (its code e.g. std::errc::address_in_use).
  [[nodiscard]] Result<void> start();

  // Closes the acceptor and every open connection; idempotent. Sessions finish asynchronously
  // on the io_context and never call a handler again.
  void stop();

  // The bound endpoint (with the port the kernel chose), or a default endpoint before start().
  asio::ip::tcp::endpoint local_endpoint() const;

  // Connections currently open (including those still draining after their last answer).
  std::size_t connection_count() const;

  // Connections closed so far to make room for a newer one.
  std::size_t evictions() const;

 private:
  // Shared with the running coroutines, so that they may outlive this object safely.
  std::shared_ptr<detail::HttpServerState> state_;
};

}  // namespace proxywatch
