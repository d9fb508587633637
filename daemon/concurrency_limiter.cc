// The semaphore: a slot is handed straight to the next waiter, so in_use_ never drops below
// the limit while anyone waits (no thundering herd, FIFO fairness).
#include "daemon/concurrency_limiter.h"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace proxywatch {

namespace asio = boost::asio;

ConcurrencyLimiter::ConcurrencyLimiter(asio::any_io_executor ex, std::size_t limit)
    : ex_(std::move(ex)), limit_(std::max<std::size_t>(limit, 1)) {}

asio::awaitable<bool> ConcurrencyLimiter::acquire() {
  co_return co_await acquire(std::make_shared<asio::steady_timer>(ex_));
}

asio::awaitable<bool> ConcurrencyLimiter::acquire(std::shared_ptr<asio::steady_timer> timer) {
  if (in_use_ < limit_ && waiters_.empty()) {
    ++in_use_;
    co_return true;
  }
  timer->expires_at(asio::steady_timer::time_point::max());
  waiters_.push_back(timer);
  co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
  // release() removes the timer it hands a slot to; still queued means we were cancelled.
  auto it = std::find(waiters_.begin(), waiters_.end(), timer);
  if (it == waiters_.end()) co_return true;
  waiters_.erase(it);
  co_return false;
}

void ConcurrencyLimiter::withdraw(const std::shared_ptr<asio::steady_timer>& waiter) {
  auto it = std::find(waiters_.begin(), waiters_.end(), waiter);
  if (it == waiters_.end()) return;
  // Still queued when it resumes, so acquire() erases it and returns false: cancel only.
  (*it)->cancel();
}

void ConcurrencyLimiter::release() {
  if (waiters_.empty()) {
    --in_use_;
    return;
  }
  // The slot passes to the first waiter: in_use_ stays the same.
  auto next = waiters_.front();
  waiters_.pop_front();
  next->cancel();
}

}  // namespace proxywatch
