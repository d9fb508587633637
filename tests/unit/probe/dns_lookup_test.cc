// The resolver against a DNS server of the test's own (tests/support/fake_dns.h, on loopback,
// lookups "b": neither /etc/hosts, /etc/resolv.conf nor the machine's resolver is asked):
// answers with the probe's port, one query shared by concurrent lookups with no cap, answers
// reused for their TTL, failures named and not reused, and a silent server abandoned at the
// deadline without holding the io_context.
#include "common/probe/dns_lookup.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "tests/support/fake_dns.h"

namespace proxywatch {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testing::FakeDns;

// Resolves each of `hosts` at once on `io` (pointed at `dns` with `options`), runs the
// io_context until every lookup ended and returns the answers, in order.
std::vector<DnsAnswer> dns_test_resolve_all(asio::io_context& io,
                                            const std::vector<std::string>& hosts,
                                            Millis deadline = 2s) {
  std::vector<DnsAnswer> answers(hosts.size(), dns_error({}));
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    asio::co_spawn(io, resolve_with_deadline(hosts[i], 3128, deadline),
                   [&answers, i](std::exception_ptr e, DnsAnswer a) {
                     if (!e) answers[i] = std::move(a);
                   });
  }
  io.restart();
  io.run();
  return answers;
}

DnsOptions dns_test_options(const FakeDns& dns) {
  return DnsOptions{.servers = dns.servers(), .lookups = "b"};
}

TEST(DnsLookupTest, ConcurrentLookupsShareOneQueryWithNoCapAndTheAnswerIsReused) {
  FakeDns dns({{"proxy.test", {.ipv4 = "127.0.0.1", .ttl = 60}}});
  asio::io_context io;
  configure_dns(io, dns_test_options(dns));
  // Far above the old cap of 32 pending lookups.
  std::vector<DnsAnswer> answers =
      dns_test_resolve_all(io, std::vector<std::string>(200, "proxy.test"));
  for (const DnsAnswer& a : answers) {
    ASSERT_TRUE(a) << a.error();
    ASSERT_EQ(a.value().size(), 1u);
    EXPECT_EQ(a.value()[0].address().to_string(), "127.0.0.1");
    EXPECT_EQ(a.value()[0].port(), 3128);
  }
  EXPECT_EQ(dns_lookups_started(io), 1u);
  const int queries = dns.queries();
  EXPECT_LE(queries, 2) << "one lookup: its A and AAAA queries";
  // Within the TTL: answered from the cache, nothing sent.
  ASSERT_TRUE(dns_test_resolve_all(io, {"proxy.test"})[0]);
  EXPECT_EQ(dns_lookups_started(io), 1u);
  EXPECT_EQ(dns.queries(), queries);
}

TEST(DnsLookupTest, FailuresAreNamedAndAskedAgainEachTime) {
  FakeDns dns({{"broken.test", {.reply = FakeDns::Reply::kServfail}}});
  asio::io_context io;
  configure_dns(io, dns_test_options(dns));
  std::vector<DnsAnswer> answers = dns_test_resolve_all(io, {"missing.test", "broken.test"});
  ASSERT_FALSE(answers[0]);
  EXPECT_EQ(answers[0].error().code,
            std::error_code(boost::system::error_code(asio::error::host_not_found)));
  EXPECT_NE(answers[0].error().message.find("NXDOMAIN"), std::string::npos)
      << answers[0].error().message;
  ASSERT_FALSE(answers[1]);
  EXPECT_EQ(answers[1].error().code,
            std::error_code(boost::system::error_code(asio::error::host_not_found_try_again)));
  EXPECT_NE(answers[1].error().message.find("SERVFAIL"), std::string::npos)
      << answers[1].error().message;
  // Not reused: the next probe asks again, so a fixed record is seen at once.
  EXPECT_FALSE(dns_test_resolve_all(io, {"missing.test"})[0]);
  EXPECT_EQ(dns_lookups_started(io), 3u);
}

TEST(DnsLookupTest, ZeroTtlWithoutAFloorIsAskedAgain) {
  FakeDns dns({{"short.test", {.ttl = 0}}});
  asio::io_context io;
  DnsOptions options = dns_test_options(dns);
  options.min_ttl = 0ms;
  configure_dns(io, options);
  ASSERT_TRUE(dns_test_resolve_all(io, {"short.test"})[0]);
  ASSERT_TRUE(dns_test_resolve_all(io, {"short.test"})[0]);
  EXPECT_EQ(dns_lookups_started(io), 2u);
}

TEST(DnsLookupTest, SilentServerTimesOutAtTheDeadlineAndLetsTheIoContextEnd) {
  FakeDns dns({{"hangs.test", {.reply = FakeDns::Reply::kSilent}}});
  asio::io_context io;
  configure_dns(io, dns_test_options(dns));
  auto started = std::chrono::steady_clock::now();
  // io.run() returns only when nothing is left to wait for: c-ares' own retries (seconds) are
  // cancelled once no probe waits.
  std::vector<DnsAnswer> answers = dns_test_resolve_all(io, {"hangs.test", "hangs.test"}, 200ms);
  auto took = std::chrono::steady_clock::now() - started;
  for (const DnsAnswer& a : answers) {
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error().code, std::errc::timed_out);
  }
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 1500ms) << "the io_context waited for c-ares' retries";
  EXPECT_GE(dns.queries(), 1);
}

TEST(DnsLookupTest, ReuseTimeIsTheTtlWithinTheFloorAndCeiling) {
  DnsOptions options;
  EXPECT_EQ(dns_reuse_time(0, options), kDnsMinTtl);  // /etc/hosts: no TTL
  EXPECT_EQ(dns_reuse_time(30, options), 30s);
  EXPECT_EQ(dns_reuse_time(86'400, options), kDnsMaxTtl);
  EXPECT_EQ(kDnsMinTtl, 1s);
  EXPECT_EQ(kDnsMaxTtl, 5min);
}

}  // namespace
}  // namespace proxywatch
