// `proxywatch check --capture FILE --packets` against scripted proxies on loopback (issue 19):
// the guide's RST after the ClientHello and 403-then-FIN, and a plain-HTTP request, each with
// its capture read back by tcpdump and its reading; a capture refused clearly without CAP_NET_RAW
// (and before any packet is sent), and never written over an existing file. The squid runs with
// Basic and Digest (auth_scenarios_test.cc) and the namespace runs with iptables
// (mtu_netns_test.cc) check the capture too.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/fake_proxy.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_origin.h"

namespace proxywatch {
namespace {

namespace json = boost::json;
using testing::FakeProxy;

class CaptureCheckTest : public ::testing::Test {
 protected:
  // `proxywatch check` of the test origin through `proxy` with `extra` flags.
  testing::ProcessResult check(const FakeProxy& proxy, std::vector<std::string> extra,
                               std::vector<std::string> prefix = {}) {
    std::vector<std::string> argv = prefix;
    argv.insert(argv.end(),
                {PROXYWATCH_BINARY, "check", "--proxy", "127.0.0.1:" + std::to_string(proxy.port()),
                 "--target", "origin.test:" + std::to_string(origin_.port()), "--ca-file",
                 testing::shared_pki().ca.cert_file.string(), "--timeout", "2"});
    argv.insert(argv.end(), extra.begin(), extra.end());
    return testing::run_process(argv, {}, std::chrono::seconds(30));
  }
  std::string tcpdump(const std::filesystem::path& file) {
    auto run = testing::run_process({"tcpdump", "-nn", "-r", file.string()});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.out;
  }

  testing::TlsOrigin origin_;
  testing::TempDir dir_{"pw-capture-check"};
};

TEST_F(CaptureCheckTest, ResetAfterTheClientHelloIsInTheCaptureAndTheReading) {
  FakeProxy proxy({.behavior = FakeProxy::Behavior::kResetOnClientHello});
  auto file = dir_.path() / "reset.pcap";
  auto run = check(proxy, {"--packets", "--capture", file.string()});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("outcome: tls_reset"), std::string::npos) << run.out;
  // The timeline's packet lines, the guide's way, then the reading and the file.
  EXPECT_NE(run.out.find("packets:\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("> S    seq 0"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("HTTP/1.1 200"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("TLS ClientHello ("), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("SNI origin.test)"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("< R"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("reading: The proxy reset the connection"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("after the ClientHello."), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("capture: " + file.string()), std::string::npos) << run.out;
  std::string dump = tcpdump(file);
  EXPECT_NE(dump.find("Flags [R"), std::string::npos) << dump;
  EXPECT_NE(dump.find("Flags [S]"), std::string::npos) << dump;
  EXPECT_EQ(std::filesystem::status(file).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(CaptureCheckTest, ForbiddenThenFinIsReadAsTheProxysAnswerAndClose) {
  FakeProxy proxy(
      {.behavior = FakeProxy::Behavior::kStatus, .status_line = "HTTP/1.1 403 Forbidden"});
  auto file = dir_.path() / "denied.pcap";
  auto run = check(proxy, {"--json", "--packets", "--capture", file.string()});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  boost::system::error_code ec;
  json::value result = json::parse(run.out, ec);
  ASSERT_FALSE(ec) << run.out;
  EXPECT_EQ(result.at("outcome"), "proxy_denied");
  EXPECT_EQ(result.at("capture_file").as_string(), file.string());
  const auto& packets = result.at("packets").as_object();
  std::string reading(packets.at("reading").as_string());
  EXPECT_NE(reading.find("The proxy answered \"HTTP/1.1 403 Forbidden\""), std::string::npos)
      << reading;
  bool connect_line = false;
  for (const auto& line : packets.at("lines").as_array()) {
    if (line.at("what").as_string() == "CONNECT origin.test:" + std::to_string(origin_.port())) {
      connect_line = line.at("direction") == "out";
    }
  }
  EXPECT_TRUE(connect_line) << json::serialize(packets);
  std::string dump = tcpdump(file);
  EXPECT_NE(dump.find("Flags [F"), std::string::npos) << dump;
}

TEST_F(CaptureCheckTest, PlainHttpRequestIsCapturedWithItsRequestLine) {
  FakeProxy proxy(
      {.behavior = FakeProxy::Behavior::kStatus, .status_line = "HTTP/1.1 502 Bad Gateway"});
  auto file = dir_.path() / "plain.pcap";
  auto run = testing::run_process(
      {PROXYWATCH_BINARY, "check", "--proxy", "127.0.0.1:" + std::to_string(proxy.port()),
       "--target", "http://feeds.test/list.txt", "--timeout", "2", "--packets", "--capture",
       file.string()},
      {}, std::chrono::seconds(30));
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.out.find("> P.   seq 1       len "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("GET http://feeds.test/list.txt\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("HTTP/1.1 502 Bad Gateway"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("reading: The proxy answered \"HTTP/1.1 502 Bad Gateway\""),
            std::string::npos)
      << run.out;
  EXPECT_NE(tcpdump(file).find("Flags [P.]"), std::string::npos);
}

TEST_F(CaptureCheckTest, WithoutCapNetRawOverAFileOrInAMissingFolderNothingIsSent) {
  FakeProxy proxy({.behavior = FakeProxy::Behavior::kStatus});
  // Root without CAP_NET_RAW in its bounding set: the capture cannot open.
  auto run = check(proxy, {"--packets"}, {"setpriv", "--bounding-set=-net_raw", "--"});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_NE(run.err.find("--packets: capturing packets needs CAP_NET_RAW"), std::string::npos)
      << run.err;
  auto existing = dir_.path() / "existing.pcap";
  dir_.write_file("existing.pcap", "keep me");
  run = check(proxy, {"--capture", existing.string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("exists; check never overwrites a file"), std::string::npos) << run.err;
  EXPECT_EQ(dir_.read_file("existing.pcap"), "keep me");
  // A folder that does not exist fails before the probe, not after it.
  run = check(proxy, {"--capture", (dir_.path() / "missing" / "x.pcap").string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--capture: cannot create a file in"), std::string::npos) << run.err;
  EXPECT_TRUE(proxy.requests().empty());
}

}  // namespace
}  // namespace proxywatch
