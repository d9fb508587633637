// The probe engine on one io_context and one thread: a thousand probes in flight at once,
// each ending with its own correct outcome, and a hostile proxy bounded by its deadline while
// healthy probes beside it finish.
#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <optional>
#include <thread>

#include "common/probe/probe.h"
#include "tests/support/fake_proxy.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_origin.h"

namespace proxywatch {
namespace {

namespace asio = boost::asio;
using testing::FakeProxy;

ProbeSpec spec_for(std::uint16_t proxy_port, std::uint16_t origin_port, const std::string& ca) {
  ProbeSpec spec;
  spec.proxy = {"127.0.0.1", proxy_port};
  spec.target = {"origin.test", origin_port};
  spec.ca_file = ca;
  spec.timeouts.set_all_phases(std::chrono::seconds(20));
  return spec;
}

// Runs `specs` concurrently on one io_context on this thread; returns the results in order.
std::vector<std::optional<ProbeResult>> run_all(const std::vector<ProbeSpec>& specs,
                                                TlsContexts::ContextPtr tls) {
  asio::io_context io;
  std::vector<std::optional<ProbeResult>> results(specs.size());
  std::thread::id io_thread = std::this_thread::get_id();
  for (size_t i = 0; i < specs.size(); ++i) {
    asio::co_spawn(io, run_probe(specs[i], tls), [&, i](std::exception_ptr e, ProbeResult r) {
      ASSERT_FALSE(e);
      EXPECT_EQ(std::this_thread::get_id(), io_thread);
      results[i] = std::move(r);
    });
  }
  io.run_for(std::chrono::seconds(60));
  return results;
}

class ProbeConcurrencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_file_ = testing::shared_pki().ca.cert_file.string();
    origin_.emplace();
    tls_ = *contexts_.get(ca_file_);
  }

  std::string ca_file_;
  std::optional<testing::TlsOrigin> origin_;
  TlsContexts contexts_;
  TlsContexts::ContextPtr tls_;
};

TEST_F(ProbeConcurrencyTest, ThousandDeniedProbesOnOneThreadAllComplete) {
  FakeProxy proxy(
      {.behavior = FakeProxy::Behavior::kStatus, .status_line = "HTTP/1.1 403 Forbidden"});
  std::vector<ProbeSpec> specs(1000, spec_for(proxy.port(), origin_->port(), ca_file_));
  auto results = run_all(specs, tls_);
  for (const auto& r : results) {
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->outcome, Outcome::kProxyDenied);
    EXPECT_EQ(r->connect_status, 403u);
  }
  EXPECT_EQ(proxy.requests().size(), 1000u);
}

TEST_F(ProbeConcurrencyTest, HundredsOfFullTlsTunnelsAtOnce) {
  FakeProxy proxy({.behavior = FakeProxy::Behavior::kRelay, .upstream_port = origin_->port()});
  auto spec = spec_for(proxy.port(), origin_->port(), ca_file_);
  spec.request = HttpRequestSpec{"GET", "/bytes/20000"};
  std::vector<ProbeSpec> specs(300, spec);
  auto results = run_all(specs, tls_);
  for (const auto& r : results) {
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->outcome, Outcome::kOk) << r->diagnosis;
    EXPECT_EQ(r->bytes, 20000u);
  }
}

TEST_F(ProbeConcurrencyTest, StalledProxyDoesNotHoldHealthyProbesBeside) {
  FakeProxy stalled({.behavior = FakeProxy::Behavior::kNeverAnswer});
  FakeProxy healthy({.behavior = FakeProxy::Behavior::kRelay, .upstream_port = origin_->port()});
  auto slow = spec_for(stalled.port(), origin_->port(), ca_file_);
  slow.timeouts.proxy_connect = std::chrono::seconds(5);
  std::vector<ProbeSpec> specs(50, slow);
  specs.resize(100, spec_for(healthy.port(), origin_->port(), ca_file_));
  auto results = run_all(specs, tls_);
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i].has_value());
    if (i < 50) {
      EXPECT_EQ(results[i]->outcome, Outcome::kProxyStalled);
      EXPECT_GE(results[i]->total.count(), 4.9);
    } else {
      EXPECT_EQ(results[i]->outcome, Outcome::kOk) << results[i]->diagnosis;
      // Healthy probes finish long before the stalled ones' deadline.
      EXPECT_LT(results[i]->total.count(), 4.9);
    }
  }
}

}  // namespace
}  // namespace proxywatch
