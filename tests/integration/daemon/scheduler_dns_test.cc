// The scheduler with a proxy given by name: many targets starting at once (the daemon's start,
// a proxy change, a reload) share one DNS lookup and none ends dns_failed. The name is served by
// a DNS server of the test's own on loopback (tests/support/fake_dns.h) with c-ares pointed at it
// (DnsOptions), so neither /etc/resolv.conf nor the machine's resolver is asked.
#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include <map>

#include "common/probe/dns_lookup.h"
#include "daemon/scheduler.h"
#include "tests/support/fake_dns.h"
#include "tests/support/fake_proxy.h"

namespace proxywatch {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using testing::FakeDns;
using testing::FakeProxy;

TEST(SchedulerDnsTest, HundredsOfTargetsWithANamedProxyShareOneLookupAndNoneFails) {
  FakeDns dns({{"proxy.pwtest", {.ipv4 = "127.0.0.1", .ttl = 60}}});
  FakeProxy proxy(
      {.behavior = FakeProxy::Behavior::kStatus, .status_line = "HTTP/1.1 403 Forbidden"});
  asio::io_context io;
  configure_dns(io, DnsOptions{.servers = dns.servers(), .lookups = "b"});
  std::map<Outcome, int> outcomes;
  int done = 0;
  Scheduler scheduler(
      io.get_executor(), 150,
      [&](const config::PlannedTarget&, const ProbeResult& r, const ProbePackets*) {
        ++outcomes[r.outcome];
        ++done;
        EXPECT_NE(r.outcome, Outcome::kDnsFailed) << r.error;
      },
      [](const config::PlannedTarget&, const std::string& e) { FAIL() << e; });
  constexpr int kTargets = 150;
  std::vector<config::PlannedTarget> targets;
  for (int i = 0; i < kTargets; ++i) {
    config::PlannedTarget t;
    t.name = "t" + std::to_string(i);
    t.spec.proxy = {"proxy.pwtest", proxy.port()};
    t.spec.target = {"origin.test", 443};
    t.spec.timeouts.set_all_phases(std::chrono::seconds(2));
    t.interval = std::chrono::hours(1);
    targets.push_back(t);
  }
  scheduler.apply(targets, milliseconds(0));
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (done < kTargets && std::chrono::steady_clock::now() < end) io.run_for(milliseconds(10));
  ASSERT_EQ(done, kTargets);
  EXPECT_EQ(outcomes[Outcome::kProxyDenied], kTargets);
  // One lookup for all of them: its A and AAAA queries, nothing more.
  EXPECT_EQ(dns_lookups_started(io), 1u);
  EXPECT_LE(dns.queries(), 2);
}

}  // namespace
}  // namespace proxywatch
