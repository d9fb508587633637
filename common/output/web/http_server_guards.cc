// What a request may be refused for (http_server_state.h): the connection cap's eviction, the
// Host allow-list, passwords verified on the workers and throttled per client, and the bound on
// answers held for slow readers.
#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/output/web/basic_auth.h"
#include "common/output/web/http_server_state.h"

namespace proxywatch::detail {
namespace {

using Session = std::list<HttpSession>::iterator;
using Stage = HttpSession::Stage;

// The host a request is for: the authority of an absolute-form target, which RFC 9112 §3.2.2
// says overrides Host, else the Host header; nullopt without either (HTTP/1.0).
std::optional<std::string_view> request_host(const Request& request) {
  std::string_view target = request.target();
  auto scheme_end = target.find("://");
  if (!target.starts_with('/') && scheme_end != std::string_view::npos) {
    std::string_view authority = target.substr(scheme_end + 3);
    authority = authority.substr(0, authority.find_first_of("/?"));
    return authority.substr(authority.rfind('@') + 1);  // npos + 1 == 0: no userinfo
  }
  auto host = request.find(http::field::host);
  if (host == request.end()) return std::nullopt;
  return host->value();
}

// Whether the Authorization header value `header` is a right password of `users`: a bcrypt on
// one of the workers (the listener's thread goes on serving meanwhile), or here without workers.
asio::awaitable<bool> verify_password(HttpServerState& state, std::shared_ptr<BasicAuth> users,
                                      std::string header) {
  if (!state.workers) co_return users->check(header);
  auto initiate = [workers = *state.workers, users, header = std::move(header)](auto handler) {
    asio::post(workers, [users, header, handler = std::move(handler)]() mutable {
      const bool right = users->check(header);
      // Back to the session's executor (the listener's thread) with the verdict.
      auto session_executor = asio::get_associated_executor(handler);
      asio::post(session_executor,
                 [handler = std::move(handler), right]() mutable { std::move(handler)(right); });
    });
  };
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(bool)>(
      std::move(initiate), asio::use_awaitable);
}

}  // namespace

HttpCredentials current_credentials(const HttpSecurity& security) {
  if (security.credentials) return security.credentials();
  return HttpCredentials{security.tls, security.users};
}

HttpResponse plain(unsigned status, std::string body) {
  return HttpResponse{status, "text/plain; charset=utf-8", std::move(body) + "\n"};
}

HttpResponse retry_later(unsigned status, std::string body, std::chrono::seconds after) {
  HttpResponse response = plain(status, std::move(body));
  response.retry_after = static_cast<unsigned>(std::max<long>(1, after.count()));
  return response;
}

// Makes room for one more connection. The room is taken from the client address that holds the
// most connections that may be closed, so that one client opening many connections (a flood from
// a few addresses) cannot push out another's: a Prometheus with its one keep-alive connection
// keeps it. Of that address's connections it closes the one that has waited longest without a
// request (idle keep-alive or nothing sent), else the one that has spent longest reading one (a
// slowloris), else one lingering. One being answered is never closed. False if none qualifies.
bool evict_one(HttpServerState& state) {
  std::map<asio::ip::address, std::size_t> closable;
  for (const HttpSession& s : state.sessions) {
    if (!s.evicted && s.stage != Stage::kAnswering) ++closable[s.peer];
  }
  if (closable.empty()) return false;
  const asio::ip::address crowd =
      std::max_element(closable.begin(), closable.end(), [](const auto& a, const auto& b) {
        return a.second < b.second;
      })->first;
  for (Stage stage : {Stage::kWaiting, Stage::kReading, Stage::kLingering}) {
    Session oldest = state.sessions.end();
    for (Session s = state.sessions.begin(); s != state.sessions.end(); ++s) {
      if (s->evicted || s->stage != stage || s->peer != crowd) continue;
      if (oldest == state.sessions.end() || s->since < oldest->since) oldest = s;
    }
    if (oldest == state.sessions.end()) continue;
    oldest->evicted = true;
    ++state.evicted;
    ++state.stats->evictions;
    oldest->stream.close();
    return true;
  }
  return false;
}

// Whether a request for another host (421) or without acceptable credentials is refused.
// A password accepted before is known without a bcrypt; a client that sent too many wrong ones
// is refused without one (auth_throttle.h); so is every client while the workers' queue is full.
// The users are those of now (HttpSecurity::credentials), so an edit applies to the next request.
asio::awaitable<Refusal> refusal(HttpServerState& state, HttpSession& session,
                                 const Request& request) {
  // Against DNS rebinding: a browser sends its page's host name (host_allow_list.h).
  const std::optional<std::string_view> host = request_host(request);
  if (state.security.allow_host && host && !state.security.allow_host(*host)) {
    co_return Refusal{
        .answer = plain(421, "misdirected request: this listener does not answer for that host")};
  }
  const std::shared_ptr<BasicAuth> users = current_credentials(state.security).users;
  if (!users) co_return Refusal{};
  const std::string_view header = request[http::field::authorization];
  std::optional<bool> right = users->cached(header);
  if (!right) {
    std::chrono::seconds retry{1};
    if (!state.throttle.allows(session.peer, std::chrono::steady_clock::now(), &retry)) {
      ++state.stats->auth_throttled;
      co_return Refusal{.answer =
                            retry_later(429, "too many wrong passwords: try again later", retry)};
    }
    if (state.pending_checks >= state.limits.max_pending_checks) {
      ++state.stats->busy;
      co_return Refusal{.answer = retry_later(503, "busy verifying passwords: try again later",
                                              std::chrono::seconds(1))};
    }
    ++state.pending_checks;
    state.throttle.take(session.peer, std::chrono::steady_clock::now());
    const bool verified = co_await verify_password(state, users, std::string(header));
    --state.pending_checks;
    if (verified) {
      state.throttle.give_back(session.peer);
    } else {
      ++state.stats->auth_failures;
    }
    right = verified;
  }
  if (*right) co_return Refusal{.authenticated = true};
  co_return Refusal{.answer = plain(401, "unauthorized")};
}

HeldBody::HeldBody(HttpServerState& state, const std::shared_ptr<const std::string>& body)
    : state_(state), body_(body) {
  if (!body_) return;
  auto& [bytes, answers] = state_.held[body_.get()];
  if (answers++ == 0) {
    bytes = body_->size();
    state_.held_bytes += bytes;
  }
}

HeldBody::~HeldBody() {
  if (!body_) return;
  auto it = state_.held.find(body_.get());
  if (--it->second.second > 0) return;
  state_.held_bytes -= it->second.first;
  state_.held.erase(it);
}

bool may_hold(const HttpServerState& state, const std::shared_ptr<const std::string>& body) {
  if (!body || state.held.contains(body.get()) || state.held_bytes == 0) return true;
  return state.held_bytes + body->size() <= state.limits.max_buffered_bytes;
}

}  // namespace proxywatch::detail
