// ListenerLoad: clients that hammer the daemon's listener, for the load and soak tests. Each
// client is a thread at nice 15 (so that the test's own proxies and origins are not starved by
// it) sending GET requests with one Authorization value on a keep-alive connection, a new one
// after each close, from a chosen loopback source address, until stop().
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace proxywatch::testing {

class ListenerLoad {
 public:
  // What the clients saw.
  struct Seen {
    std::map<unsigned, std::size_t> statuses;  // HTTP status → answers
    double slowest_ok = 0;                     // seconds, the slowest 200
  };

  explicit ListenerLoad(std::uint16_t port) : port_(port) {}
  // Calls stop().
  ~ListenerLoad();
  ListenerLoad(const ListenerLoad&) = delete;
  ListenerLoad& operator=(const ListenerLoad&) = delete;

  // Starts `count` clients from `source` (e.g. "127.0.0.2") requesting `paths` in turn with
  // `authorization` ("" for none).
  void add(int count, const std::string& source, const std::string& authorization,
           std::vector<std::string> paths = {"/metrics"});
  // Ends every client (each finishes its request first) and joins them. Idempotent.
  void stop();

  Seen seen();

 private:
  void run(std::string source, std::string authorization, std::vector<std::string> paths);

  const std::uint16_t port_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  Seen seen_;
  std::vector<std::thread> clients_;
};

}  // namespace proxywatch::testing
