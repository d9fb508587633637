// A counting semaphore for coroutines on one io_context: at most N probes in flight, the rest
// wait in FIFO order. Not thread-safe: every call comes from the io_context's one thread.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

namespace proxywatch {

class ConcurrencyLimiter {
 public:
  ConcurrencyLimiter(boost::asio::any_io_executor ex, std::size_t limit);

  // Waits for a free slot and takes it. Returns false if the wait was cancelled (the slot is
  // then not taken).
  boost::asio::awaitable<bool> acquire();
  // The same, parked on the caller's `waiter`, so that withdraw(waiter) can end the wait.
  boost::asio::awaitable<bool> acquire(std::shared_ptr<boost::asio::steady_timer> waiter);
  // Takes `waiter` out of the queue if it waits there: its acquire() returns false at once,
  // and it no longer holds up the waiters behind it. Does nothing otherwise.
  void withdraw(const std::shared_ptr<boost::asio::steady_timer>& waiter);
  // Gives a slot back, waking the longest waiter.
  void release();

  std::size_t in_use() const { return in_use_; }
  std::size_t waiting() const { return waiters_.size(); }

 private:
  boost::asio::any_io_executor ex_;
  std::size_t limit_;
  std::size_t in_use_ = 0;
  // Each waiter parks on its own timer; release() hands the slot over by cancelling it.
  std::deque<std::shared_ptr<boost::asio::steady_timer>> waiters_;
};

// Holds a slot for its lifetime (released on every exit path of a coroutine).
class SlotGuard {
 public:
  explicit SlotGuard(ConcurrencyLimiter& limiter) : limiter_(&limiter) {}
  ~SlotGuard() { limiter_->release(); }
  SlotGuard(const SlotGuard&) = delete;
  SlotGuard& operator=(const SlotGuard&) = delete;

 private:
  ConcurrencyLimiter* limiter_;
};

}  // namespace proxywatch
