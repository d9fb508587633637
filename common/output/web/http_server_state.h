// The listener's internals shared by http_server.cc (accepting, sessions, reading and writing)
// and http_server_guards.cc (what a request may be refused for: the connection cap, the Host
// allow-list, passwords and their throttle, the answers held for slow readers). Internal to
// proxywatch::web; HttpServer (http_server.h) is the interface.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/optional.hpp>

#include "common/output/web/auth_throttle.h"
#include "common/output/web/http_server.h"

namespace proxywatch::detail {

namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

// A Beast body that is a shared, immutable string: the answer is written from the one rendering
// every reader of it shares (HttpResponse::shared_body).
struct SharedStringBody {
  using value_type = std::shared_ptr<const std::string>;
  static std::uint64_t size(const value_type& body) { return body ? body->size() : 0; }
  class writer {
   public:
    using const_buffers_type = asio::const_buffer;
    template <bool isRequest, class Fields>
    writer(const http::header<isRequest, Fields>&, const value_type& body) : body_(body) {}
    void init(error_code& ec) { ec = {}; }
    boost::optional<std::pair<const_buffers_type, bool>> get(error_code& ec) {
      ec = {};
      if (!body_ || done_) return boost::none;
      done_ = true;
      return {{asio::const_buffer(body_->data(), body_->size()), false}};
    }

   private:
    const value_type& body_;
    bool done_ = false;
  };
};

using Request = http::request<http::empty_body>;
using BeastResponse = http::response<SharedStringBody>;

// One open connection and what it is doing, for eviction when the listener is full.
struct HttpSession {
  enum class Stage {
    kWaiting,    // nothing of the next request has arrived yet
    kReading,    // part of a request has arrived
    kAnswering,  // a handler runs or its answer is being written: never evicted
    kLingering,  // the last answer is out; draining before close
  };
  explicit HttpSession(asio::ip::tcp::socket socket) : stream(std::move(socket)) {
    error_code ec;
    const asio::ip::tcp::endpoint remote = stream.socket().remote_endpoint(ec);
    if (!ec) peer = remote.address();
  }
  beast::tcp_stream stream;
  asio::ip::address peer;  // the client, for throttling its wrong passwords
  // The TLS context of this connection's handshake (null: plain HTTP), held for its life.
  std::shared_ptr<asio::ssl::context> tls;
  Stage stage = Stage::kWaiting;
  std::chrono::steady_clock::time_point since = std::chrono::steady_clock::now();
  bool evicted = false;
};

struct HttpServerState {
  HttpServerState(asio::io_context& c, asio::ip::tcp::endpoint e, HttpServer::Handlers h,
                  HttpServerLimits l, HttpSecurity s, std::optional<asio::any_io_executor> w)
      : endpoint(std::move(e)),
        handlers(std::move(h)),
        limits(l),
        security(std::move(s)),
        workers(std::move(w)),
        acceptor(c) {}

  const asio::ip::tcp::endpoint endpoint;
  const HttpServer::Handlers handlers;
  const HttpServerLimits limits;
  const HttpSecurity security;
  const std::optional<asio::any_io_executor> workers;
  asio::ip::tcp::acceptor acceptor;
  // Open connections. A list, so each session's iterator stays valid while others come and go.
  std::list<HttpSession> sessions;
  std::size_t evicted = 0;  // sessions closed for room that have not ended yet
  AuthThrottle throttle;
  std::size_t pending_checks = 0;  // passwords waiting for or on a worker
  // Bodies being written, each counted once however many answers share it: bytes and answers.
  std::map<const std::string*, std::pair<std::size_t, std::size_t>> held;
  std::size_t held_bytes = 0;
  std::shared_ptr<HttpServerStats> stats = std::make_shared<HttpServerStats>();
  bool stopped = false;
};

// The TLS context and users to use now: security.credentials' answer, or tls and users.
HttpCredentials current_credentials(const HttpSecurity& security);

// A plain-text answer.
HttpResponse plain(unsigned status, std::string body);
// A plain-text answer with Retry-After: `after` (at least 1 s).
HttpResponse retry_later(unsigned status, std::string body, std::chrono::seconds after);

// Makes room for one more connection (see HttpServerLimits); false if none may be closed.
bool evict_one(HttpServerState& state);

// What refusal() decided: the answer to send instead (421 for another host; 401, 429 or 503
// without acceptable credentials), or none when the request may be answered; `authenticated`
// when a user's right password came with it.
struct Refusal {
  std::optional<HttpResponse> answer{};
  bool authenticated = false;
};

// Whether a request may be answered. May wait for a bcrypt worker.
boost::asio::awaitable<Refusal> refusal(HttpServerState& state, HttpSession& session,
                                        const Request& request);

// Holds a response's body against HttpServerLimits::max_buffered_bytes while it is written.
class HeldBody {
 public:
  HeldBody(HttpServerState& state, const std::shared_ptr<const std::string>& body);
  ~HeldBody();
  HeldBody(const HeldBody&) = delete;
  HeldBody& operator=(const HeldBody&) = delete;

 private:
  HttpServerState& state_;
  const std::shared_ptr<const std::string> body_;
};

// Whether `body` may be held too: it is held already, or it fits beside what is, or it is alone.
bool may_hold(const HttpServerState& state, const std::shared_ptr<const std::string>& body);

}  // namespace proxywatch::detail
