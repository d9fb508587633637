// A probe whose own thread is late (the host overloaded) does not report a phase far past its
// deadline as ok: the TCP connect to a working proxy completes at once, but the probe's thread is
// blocked for longer than the tcp_connect deadline before it sees that; the probe ends as the
// phase's timeout and says that the daemon measured it late.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "common/probe/packet_tap.h"
#include "common/probe/probe.h"
#include "tests/support/delay_proxy.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_origin.h"

namespace proxywatch::testing {
namespace {

using namespace std::chrono_literals;

// Blocks the probe's thread for `block` right after the connection's SYN is sent: the handler
// posted here runs as soon as the probe awaits the connect.
class LateLoopTap : public PacketTap {
 public:
  LateLoopTap(asio::io_context& io, std::chrono::milliseconds block) : io_(io), block_(block) {}
  void connecting(const asio::ip::tcp::endpoint&, const asio::ip::tcp::endpoint&) override {
    asio::post(io_, [block = block_] { std::this_thread::sleep_for(block); });
  }

 private:
  asio::io_context& io_;
  std::chrono::milliseconds block_;
};

ProbeResult late_loop_probe(std::chrono::milliseconds block) {
  const CertificateAuthority& ca = shared_pki().ca;
  TlsOrigin origin;
  DelayProxy proxy({.upstream_port = origin.port()});
  TlsContexts contexts;
  auto tls = contexts.get(ca.cert_file.string());
  if (!tls) throw std::runtime_error(tls.error().to_string());
  ProbeSpec spec;
  spec.target = {"origin.test", origin.port()};
  spec.ca_file = ca.cert_file.string();
  spec.proxy = {"127.0.0.1", proxy.port()};
  spec.timeouts.tcp_connect = 300ms;
  asio::io_context io;
  LateLoopTap tap(io, block);
  ProbeResult result;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { result = co_await run_probe(spec, *tls, &tap); },
      asio::detached);
  io.run();
  return result;
}

TEST(LateLoopTest, APhaseMeasuredPastItsDeadlineIsItsTimeoutNotOk) {
  const ProbeResult on_time = late_loop_probe(0ms);
  EXPECT_TRUE(on_time.ok()) << to_string(on_time.outcome) << ": " << on_time.error;

  const ProbeResult late = late_loop_probe(700ms);
  EXPECT_EQ(late.outcome, Outcome::kTcpTimeout) << late.error;
  EXPECT_EQ(late.phase, Phase::kTcpConnect);
  ASSERT_TRUE(late.duration(Phase::kTcpConnect));
  EXPECT_GE(late.duration(Phase::kTcpConnect)->count(), 0.7);
  EXPECT_NE(late.error.find("measured it late"), std::string::npos) << late.error;
}

}  // namespace
}  // namespace proxywatch::testing
