// FakeDns: a tiny DNS server over UDP on 127.0.0.1, on a thread of its own, for the resolver's
// tests (c-ares pointed at it with DnsOptions::servers, lookups "b"), so that neither
// /etc/resolv.conf nor the machine's resolver is asked anything. It answers A queries for the
// names it is given, NOERROR without answers to other types of those names (no AAAA), NXDOMAIN
// for every other name; a name may instead get SERVFAIL or no answer at all. It counts the
// queries it receives.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <thread>

namespace proxywatch::testing {

class FakeDns {
 public:
  enum class Reply { kAddress, kServfail, kSilent };
  struct Name {
    Reply reply = Reply::kAddress;
    std::string ipv4 = "127.0.0.1";
    std::uint32_t ttl = 60;
  };

  // Starts serving `names` (lower case, without the final dot); throws when it cannot bind.
  explicit FakeDns(std::map<std::string, Name> names);
  // Stops the thread and closes the socket.
  ~FakeDns();
  FakeDns(const FakeDns&) = delete;
  FakeDns& operator=(const FakeDns&) = delete;

  // "127.0.0.1:PORT", for DnsOptions::servers.
  std::string servers() const;
  // Queries received so far (answered or not).
  int queries() const { return queries_.load(); }

 private:
  void serve();
  // The reply to the query in `query` (`size` bytes); empty: none is sent.
  std::string reply(const unsigned char* query, std::size_t size) const;

  std::map<std::string, Name> names_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<int> queries_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace proxywatch::testing
