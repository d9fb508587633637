// DNS with a deadline: a resolver that answers in time is awaited, one that hangs is abandoned
// at the deadline and its late answer dropped, and hung lookups are capped. The blocking
// resolver is a fake that waits on a gate the test opens, so no DNS server is asked anything;
// the system resolver is used only for an IP literal, which getaddrinfo converts without a
// query.
#include "common/probe/dns_lookup.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "tests/support/wait.h"

namespace proxywatch {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// A gate the fake resolver's threads wait at until the test opens it (bounded: 10 s).
class Gate {
 public:
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, 10s, [&] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool open_ = false;
};

DnsAnswer loopback_answer(std::uint16_t port) {
  return DnsAnswer{std::vector{asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), port)}};
}

// Runs one resolve_with_deadline on a fresh io_context and returns its answer.
DnsAnswer resolve(const std::string& host, Millis deadline, BlockingResolver resolver) {
  asio::io_context io;
  auto future =
      asio::co_spawn(io, resolve_with_deadline(host, 3128, deadline, resolver), asio::use_future);
  io.run();
  return future.get();
}

TEST(DnsLookupTest, AnswerInTimeIsReturned) {
  DnsAnswer answer = resolve("proxy.test", 2s, [](const std::string& host, std::uint16_t port) {
    EXPECT_EQ(host, "proxy.test");
    return loopback_answer(port);
  });
  ASSERT_TRUE(answer) << answer.error();
  ASSERT_EQ(answer.value().size(), 1u);
  EXPECT_EQ(answer.value()[0].port(), 3128);
}

TEST(DnsLookupTest, HungLookupTimesOutAtTheDeadlineAndItsLateAnswerIsDropped) {
  auto gate = std::make_shared<Gate>();
  auto started = std::chrono::steady_clock::now();
  DnsAnswer answer = resolve("hangs.test", 200ms, [gate](const std::string&, std::uint16_t port) {
    gate->wait();
    return loopback_answer(port);
  });
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, std::errc::timed_out);
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 5s) << "the probe does not wait for the resolver";
  // The io_context is gone; the lookup thread's late answer must go nowhere.
  gate->open();
  EXPECT_TRUE(testing::wait_until([] { return pending_lookups() == 0; }, 5s));
}

TEST(DnsLookupTest, HungLookupsAreCappedAndTheCapFreesAsTheyEnd) {
  auto gate = std::make_shared<Gate>();
  BlockingResolver hang = [gate](const std::string&, std::uint16_t port) {
    gate->wait();
    return loopback_answer(port);
  };
  for (int i = 0; i < kMaxPendingLookups; ++i) {
    EXPECT_EQ(resolve("hangs.test", 1ms, hang).error().code, std::errc::timed_out);
  }
  EXPECT_EQ(pending_lookups(), kMaxPendingLookups);
  EXPECT_EQ(resolve("one-more.test", 1s, hang).error().code, std::errc::no_buffer_space);
  gate->open();
  ASSERT_TRUE(testing::wait_until([] { return pending_lookups() == 0; }, 5s));
  EXPECT_TRUE(resolve("fine.test", 1s, [](const std::string&, std::uint16_t port) {
    return loopback_answer(port);
  }));
}

TEST(DnsLookupTest, SystemResolverConvertsAnIpLiteral) {
  DnsAnswer answer = resolve("127.0.0.1", 2s, system_resolve);
  ASSERT_TRUE(answer) << answer.error();
  ASSERT_FALSE(answer.value().empty());
  EXPECT_EQ(answer.value()[0].address().to_string(), "127.0.0.1");
}

}  // namespace
}  // namespace proxywatch
