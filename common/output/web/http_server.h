// HttpServer: the daemon's small HTTP/1.1 listener (/metrics, and the status page at /). It
// runs as Boost.Beast coroutines on the caller's io_context (the daemon's: a ListenerThread's,
// apart from the probes), on that one thread and without locks, and serves fixed paths from
// handler functions. Passwords are verified on worker threads (bcrypt takes tens of
// milliseconds by design), and a client's wrong passwords are throttled (auth_throttle.h).
// Deliberately minimal: GET and HEAD only, no request bodies, bounded headers, a short deadline for
// the first byte of a request, a read deadline per request and a cap on connections with eviction
// of the longest-idle one, so that a scraper or a stranger on the listen address cannot tie up the
// daemon.
//
// Thread-safety: not thread-safe; call every member from the io_context's thread (or before it
// runs). Handlers run on that thread too. Destroy the server before its io_context.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
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

class BasicAuth;

// What a handler answers; the server adds Content-Length, Connection and Server.
struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body{};
  // When set, the body instead of `body`: one rendering shared by every client that reads it
  // (a big page read slowly by many is held once, not once per reader).
  std::shared_ptr<const std::string> shared_body{};
  unsigned retry_after = 0;  // seconds, sent as Retry-After when not 0 (429, 503)
  // When set, the body instead of `body`: made by the call, told whether the request's
  // Accept-Encoding accepts gzip (gzip.h); the body it returns is then gzipped and sent with
  // Content-Encoding: gzip, and either way with Vary: Accept-Encoding. A big answer is so
  // compressed as it is written instead of held whole first (/metrics).
  std::function<std::string(bool gzip)> render{};
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
  // Whether the request came with a user's right password (the listener checks basic auth);
  // set by the server before the handler runs.
  bool authenticated() const { return authenticated_; }
  void set_authenticated(bool authenticated) { authenticated_ = authenticated; }

 private:
  std::vector<std::pair<std::string, std::string>> params_;
  std::string path_;
  bool authenticated_ = false;
};

// Limits per listener; the defaults are the daemon's.
// When max_connections are open, a new connection evicts one of the client address holding the
// most: the one that has waited longest for a request (nothing sent, or idle between requests),
// else the one that has spent longest reading one (a slowloris); only when every connection is
// being answered is the new one closed at once. So 2,000 idle and 200 slowloris connections
// still leave a scrape its answer, and a flood of busy connections from a few addresses does
// not push out a scraper's keep-alive connection.
struct HttpServerLimits {
  std::size_t max_connections = 64;     // open at once; see above for the 65th
  std::size_t header_limit = 8 * 1024;  // request line and headers, in bytes (more → 431)
  std::chrono::milliseconds idle_timeout{3'000};   // for the first byte of each request
  std::chrono::milliseconds read_timeout{10'000};  // per request, and per response write
  // Answer bodies held for clients that have not read them yet, each distinct body counted
  // once. A response that would pass this is answered 503 (with Retry-After) instead, unless
  // nothing else is held: 64 slow readers of a 20 MB page hold 20 MB, not 1.3 GB.
  std::size_t max_buffered_bytes = 64u << 20;
  // Passwords waiting for a bcrypt worker; beyond, 503 with Retry-After.
  std::size_t max_pending_checks = 16;
};

// A listener's TLS context and users as a web configuration that may change gives them now.
struct HttpCredentials {
  std::shared_ptr<asio::ssl::context> tls;  // null: plain HTTP
  std::shared_ptr<BasicAuth> users;         // null: no authentication
};

// Who may use a listener that is reachable off loopback (docs/fleet.md, the web configuration
// file): TLS, and HTTP basic authentication.
struct HttpSecurity {
  // The server's certificate and key; null: plain HTTP. With TLS, a client that does not start
  // a TLS handshake (plain HTTP included) is disconnected without an answer.
  std::shared_ptr<asio::ssl::context> tls;
  // The users and their bcrypt hashes; null: no authentication. A request without acceptable
  // credentials gets 401 with `WWW-Authenticate: Basic realm="proxywatch"`; a client that sent
  // too many wrong passwords gets 429 with Retry-After, its password not even verified.
  std::shared_ptr<BasicAuth> users;
  // Whether the listener answers for a request's host (HostAllowList::allows, against DNS
  // rebinding); null: every host. Asked before authentication with the Host header, or the
  // authority of an absolute-form target; a request for another host gets 421 Misdirected
  // Request (RFC 9110 §15.5.20), one without either (HTTP/1.0) is served.
  std::function<bool(std::string_view host)> allow_host;
  // When set, `tls` and `users` are only the first ones: this is asked, on the listener's
  // thread, for the TLS context of each connection as it is accepted (a new certificate is used
  // from the next handshake) and for the users of each request (daemon/web_config_reload.h).
  // A connection accepted while it gives no TLS context is served plain HTTP.
  std::function<HttpCredentials()> credentials;
};

// What the listener has refused, for the metrics; read from any thread. One set may be shared
// by the servers that replace each other on a move of the listen address.
struct HttpServerStats {
  std::atomic<std::uint64_t> evictions{0};       // connections closed to make room for a newer one
  std::atomic<std::uint64_t> auth_failures{0};   // wrong passwords (and unknown users), verified
  std::atomic<std::uint64_t> auth_throttled{0};  // 429: too many wrong passwords from the client
  std::atomic<std::uint64_t> busy{0};  // 503: the bcrypt queue or the buffered bodies were full
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
  // Passwords are verified on `workers` (a ListenerThread's), or on the io_context's thread
  // when none are given.
  HttpServer(asio::io_context& context, asio::ip::tcp::endpoint endpoint, Handlers handlers,
             HttpServerLimits limits = {}, HttpSecurity security = {},
             std::optional<asio::any_io_executor> workers = std::nullopt);
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

  // What was refused so far. share_stats() before start() counts into `stats` instead.
  std::shared_ptr<HttpServerStats> stats() const;
  void share_stats(std::shared_ptr<HttpServerStats> stats);

 private:
  // Shared with the running coroutines, so that they may outlive this object safely.
  std::shared_ptr<detail::HttpServerState> state_;
};

}  // namespace proxywatch
