// ListenerLoad: clients that hammer the daemon's listener, for the load and soak tests. Every
// client is a coroutine on one thread of its own at nice 19, so that the load takes at most one
// core and yields it to the daemon and to the test's own proxies and origins: the attackers of
// a real appliance are other machines, not its own CPU. Each client sends GET requests with one
// Authorization value on a keep-alive connection, a new one after each close, from a chosen
// loopback source address, until stop().
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace proxywatch::testing {

class ListenerLoad {
 public:
  // What the clients saw.
  struct Seen {
    std::map<unsigned, std::size_t> statuses;  // HTTP status → answers
    double slowest_ok = 0;                     // seconds, the slowest 200
  };

  // Starts the clients' thread, with no client yet.
  explicit ListenerLoad(std::uint16_t port);
  // Calls stop().
  ~ListenerLoad();
  ListenerLoad(const ListenerLoad&) = delete;
  ListenerLoad& operator=(const ListenerLoad&) = delete;

  // Starts `count` clients from `source` (e.g. "127.0.0.2") requesting `paths` in turn with
  // `authorization` ("" for none).
  void add(int count, const std::string& source, const std::string& authorization,
           std::vector<std::string> paths = {"/metrics"});
  // Ends every client where it is (a request in flight is abandoned) and joins the thread.
  // Idempotent.
  void stop();

  Seen seen();

 private:
  boost::asio::awaitable<void> client(std::string source, std::string authorization,
                                      std::vector<std::string> paths);

  const std::uint16_t port_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::mutex mutex_;
  Seen seen_;
  std::thread thread_;
};

}  // namespace proxywatch::testing
