// The listener's thread: io_context::run at nice +10 until stop(); the workers at nice +10.
#include "common/output/web/listener_thread.h"

#include <sys/resource.h>
#include <unistd.h>

#include <latch>
#include <memory>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

namespace proxywatch {
namespace {

// Listening is less urgent than probing: the probe's timers and reads should get a busy CPU
// first. A thread's nice value is its own on Linux (setpriority with its TID).
constexpr int kListenerNice = 10;

// Lowers the calling thread's priority to kListenerNice.
void lower_this_thread() {
  if (::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), kListenerNice) != 0) {
    spdlog::debug("listener thread: cannot lower its priority");
  }
}

}  // namespace

ListenerThread::ListenerThread(std::size_t workers)
    : guard_(io_.get_executor()), workers_(workers), thread_([this] {
        lower_this_thread();
        io_.run();
      }) {
  // Each worker lowers its own priority too: one task per worker, each waiting for the others,
  // so that no worker takes two.
  auto all = std::make_shared<std::latch>(static_cast<std::ptrdiff_t>(workers));
  for (std::size_t i = 0; i < workers; ++i) {
    boost::asio::post(workers_, [all] {
      lower_this_thread();
      all->arrive_and_wait();
    });
  }
}

ListenerThread::~ListenerThread() {
  stop();
}

void ListenerThread::stop() {
  guard_.reset();
  io_.stop();
  if (thread_.joinable()) thread_.join();
  // A verification still running finishes and posts its answer to the stopped context, where
  // it is destroyed with the context.
  workers_.join();
}

}  // namespace proxywatch
