// MtuNetworkTest: the GoogleTest fixture both MTU namespace suites share. The network (veth
// namespaces, squid and an origin, tests/support/mtu_network.h) is made once per suite, since
// squid takes about a second to start; a network that cannot be built fails every test with
// the reason instead of crashing the suite. Each test's iptables rules are flushed after it.
#pragma once

#include <gtest/gtest.h>

#include <exception>
#include <memory>
#include <string>

#include "tests/support/mtu_network.h"

namespace proxywatch::testing {

class MtuNetworkTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      network_ = std::make_unique<MtuNetwork>();
    } catch (const std::exception& e) {
      setup_error_ = e.what();
    }
  }
  static void TearDownTestSuite() { network_.reset(); }
  void SetUp() override { ASSERT_TRUE(network_) << "test network: " << setup_error_; }
  void TearDown() override {
    if (network_) network_->flush();
  }

  static const std::string& client() { return network_->client(); }
  static const std::string& server() { return network_->server(); }

  static inline std::unique_ptr<MtuNetwork> network_;
  static inline std::string setup_error_;
};

}  // namespace proxywatch::testing
