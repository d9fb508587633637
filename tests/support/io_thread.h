// IoThread: the io_context and thread every in-process test server runs on, plus the two
// helpers all of them need (a loopback acceptor on an ephemeral port, and a completion handler
// for co_spawn that reports instead of swallowing exceptions). Each server owns one IoThread, so
// servers never share a thread with each other or with the code under test.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <exception>
#include <thread>

namespace proxywatch::testing {

namespace asio = boost::asio;

// An io_context and the one thread that runs it. Spawn the server's coroutines first, then
// start(); stop() (or the destructor) stops the context and joins the thread. Pending coroutines
// are destroyed with the io_context, which closes their sockets. Declare the IoThread before
// every socket member of the owning server, so that those sockets are destroyed first.
class IoThread {
 public:
  IoThread() = default;
  // Stops and joins (see stop()).
  ~IoThread();
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;

  // The context to create sockets on and to co_spawn into.
  asio::io_context& context() { return context_; }

  // Starts the thread that runs the context; call once.
  void start();

  // Stops the context and joins the thread; idempotent. After it returns no handler runs.
  void stop();

 private:
  asio::io_context context_;
  std::thread thread_;
};

// An acceptor listening on 127.0.0.1 with a port chosen by the kernel; throws on failure.
asio::ip::tcp::acceptor listen_on_loopback(asio::io_context& context);

// Completion handler for co_spawn: prints an escaped exception to stderr, so that a bug in a
// test server shows up in the test log instead of vanishing.
void report_exception(std::exception_ptr error);

}  // namespace proxywatch::testing
