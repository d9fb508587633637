// One detached thread per lookup, bounded by kMaxPendingLookups. The thread shares only a
// plain state object with the probe (no Asio objects, which belong to the io_context thread);
// it posts its answer to the probe's executor unless the probe has abandoned it.
#include "common/probe/dns_lookup.h"

#include <atomic>
#include <mutex>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace proxywatch {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

std::atomic<int> pending_count{0};

struct LookupState {
  std::mutex mutex;
  bool abandoned = false;               // set on the io thread when the probe stops waiting
  bool done = false;                    // set on the io thread when the answer arrived
  asio::steady_timer* timer = nullptr;  // the probe's timer; valid while !abandoned
  DnsAnswer answer;
};

void start_lookup(std::shared_ptr<LookupState> state, asio::any_io_executor ex, std::string host,
                  std::uint16_t port, BlockingResolver resolver) {
  ++pending_count;
  std::thread([state, ex, host = std::move(host), port, resolver = std::move(resolver)] {
    DnsAnswer answer = resolver(host, port);
    {
      std::lock_guard lock(state->mutex);
      if (!state->abandoned) {
        asio::post(ex, [state, answer = std::move(answer)]() mutable {
          // Runs on the io thread, where `abandoned` is written: no race with the timer.
          if (state->abandoned) return;
          state->answer = std::move(answer);
          state->done = true;
          state->timer->cancel();
        });
      }
    }
    --pending_count;
  }).detach();
}

// Marks the lookup abandoned when the waiting coroutine ends by any path, including the
// destruction of its frame when the io_context shuts down mid-wait.
struct AbandonOnExit {
  std::shared_ptr<LookupState> state;
  ~AbandonOnExit() {
    std::lock_guard lock(state->mutex);
    state->abandoned = true;
  }
};

}  // namespace

Error dns_error(std::error_code code) {
  return Error{.kind = Error::Kind::kUnreadable, .message = code.message(), .code = code};
}

DnsAnswer system_resolve(const std::string& host, std::uint16_t port) {
  asio::io_context io;  // only to run the synchronous resolver on this thread
  tcp::resolver resolver(io);
  boost::system::error_code ec;
  auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec) return dns_error(ec);
  std::vector<tcp::endpoint> endpoints;
  for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  return endpoints;
}

int pending_lookups() {
  return pending_count.load();
}

asio::awaitable<DnsAnswer> resolve_with_deadline(std::string host, std::uint16_t port,
                                                 Millis deadline, BlockingResolver resolver) {
  if (pending_count.load() >= kMaxPendingLookups) {
    co_return dns_error(std::make_error_code(std::errc::no_buffer_space));
  }
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer timer(ex, deadline);
  auto state = std::make_shared<LookupState>();
  state->timer = &timer;
  AbandonOnExit guard{state};  // declared after the timer: released before it is destroyed
  start_lookup(state, ex, std::move(host), port, std::move(resolver));
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  if (!state->done) co_return dns_error(std::make_error_code(std::errc::timed_out));
  co_return std::move(state->answer);
}

}  // namespace proxywatch
