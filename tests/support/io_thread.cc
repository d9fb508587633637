// IoThread: one io_context on one thread, started and joined explicitly.
#include "tests/support/io_thread.h"

#include <boost/asio/executor_work_guard.hpp>

#include <cstdio>

namespace proxywatch::testing {

IoThread::~IoThread() {
  stop();
}

void IoThread::start() {
  // The guard keeps run() from returning early if every coroutine happens to finish (e.g. the
  // accept loop after an error); stop() is the only way out.
  thread_ = std::thread([this] {
    auto guard = asio::make_work_guard(context_);
    context_.run();
  });
}

void IoThread::stop() {
  context_.stop();
  if (thread_.joinable()) thread_.join();
}

asio::ip::tcp::acceptor listen_on_loopback(asio::io_context& context) {
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), 0);
  asio::ip::tcp::acceptor acceptor(context);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
  return acceptor;
}

void report_exception(std::exception_ptr error) {
  if (!error) return;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "proxywatch test server: coroutine failed: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "proxywatch test server: coroutine failed: unknown exception\n");
  }
}

}  // namespace proxywatch::testing
