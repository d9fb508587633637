// ListenerThread: the thread and io_context the daemon's listener runs on, apart from the one
// that runs the probes, so that serving (accepting, TLS handshakes, rendering the metrics and the
// page) cannot delay a probe's I/O or its clock; and the small pool of workers that verify bcrypt
// passwords, so that a flood of wrong passwords cannot stall the listener either. The thread runs
// at a lower priority (nice +10 against the probing thread: docs/metrics.md, "The listener"), so
// that on a busy host the probes' timers win the CPU; so do the workers.
//
// Thread-safety: context() and workers() may be used from any thread; stop() and the destructor
// from the thread that made it.
#pragma once

#include <cstddef>
#include <thread>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

namespace proxywatch {

// How many bcrypt verifications may run at once: each takes a core for its whole cost
// (55 ms at cost 12), so more would only take CPU from the probes.
inline constexpr std::size_t kBcryptWorkers = 2;

class ListenerThread {
 public:
  // Starts the thread (running context()) and `workers` worker threads.
  explicit ListenerThread(std::size_t workers = kBcryptWorkers);
  // Calls stop(), then destroys what is still queued on context().
  ~ListenerThread();
  ListenerThread(const ListenerThread&) = delete;
  ListenerThread& operator=(const ListenerThread&) = delete;

  boost::asio::io_context& context() { return io_; }
  // Where blocking work (bcrypt) runs.
  boost::asio::any_io_executor workers() { return workers_.get_executor(); }

  // Stops context() (a handler still running finishes first), joins the thread, then the
  // workers. Idempotent.
  void stop();

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  boost::asio::thread_pool workers_;
  std::thread thread_;
};

}  // namespace proxywatch
