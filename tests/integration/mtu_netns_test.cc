// `proxywatch check --mtu` against real packet loss: the probe runs in a client namespace, squid
// and the TLS origin in a server namespace, joined by a veth link (MTU 1500, offloads off).
// iptables drops packets of 1000 bytes and more, or rejects them with a TCP reset, in one
// direction at a time — the guide's MTU blackhole and its "proxy resets on large packets" — and
// the verdict must name that direction. Rules sit on the INPUT chain of the receiving side:
// Linux TCP always builds GSO super-packets (segmented only at transmit, after OUTPUT), so an
// OUTPUT rule would match one packet bigger than any on the wire; INPUT sees real segments once
// the veth offloads are off. A reset from the server side reaches the client, as a proxy's does. A
// proxy that relays nothing after its 200 fails all three probes alike and must get no MTU verdict.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/fake_proxy.h"
#include "tests/support/mtu_network.h"
#include "tests/support/mtu_network_test.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace proxywatch {
namespace {

namespace json = boost::json;

const std::string& kLarge = testing::kLargePackets;

struct MtuRun {
  int exit_code = -1;
  json::object result;
  std::string err;

  const json::object& mtu() const { return result.at("mtu").as_object(); }
  std::string outcome(std::string_view probe) const {
    return std::string(mtu().at(probe).as_string());
  }
  std::string verdict() const { return std::string(mtu().at("verdict").as_string()); }
  // A TCP_INFO field of `probe`, from the snapshot `which` ("tcp_after_connect" or "tcp", the
  // last one taken); -1 when there is none.
  std::int64_t tcp(std::string_view probe, std::string_view key,
                   std::string_view which = "tcp_after_connect") const {
    const auto& tcp = mtu().at("probes").at(probe).at(which);
    return tcp.is_object() ? tcp.at(key).to_number<std::int64_t>() : -1;
  }
};

// Died in the handshake the way lost large segments make it die.
bool lost(const std::string& outcome) {
  return outcome == "tls_stalled" || outcome == "tls_reset";
}

MtuRun parse_run(const testing::ProcessResult& run) {
  MtuRun parsed{run.exit_code.value_or(-1), {}, run.err};
  boost::system::error_code ec;
  json::value value = json::parse(run.out, ec);
  EXPECT_FALSE(ec) << "stdout: " << run.out << "\nstderr: " << run.err;
  if (!ec && value.is_object() && value.as_object().contains("mtu")) {
    parsed.result = value.as_object();
  } else {
    ADD_FAILURE() << "no mtu object in: " << run.out;
    parsed.result["mtu"] = json::object{};
  }
  return parsed;
}

class MtuNetnsTest : public testing::MtuNetworkTest {
 protected:
  static void rule(const std::string& ns, const std::string& range, const std::string& name,
                   std::vector<std::string> target = {}) {
    network_->rule(ns, range, name, std::move(target));
  }
  static long long packets(const std::string& ns, const std::string& name) {
    return network_->packets(ns, name);
  }

  // `proxywatch check --mtu --json` from the client namespace through squid, 2 s per phase;
  // with `capture`, also --packets and --capture to that file.
  static MtuRun check_mtu(const std::string& capture = "") {
    std::vector<std::string> argv = {PROXYWATCH_BINARY, "check",
                                     "--mtu",           "--json",
                                     "--proxy",         network_->proxy_address(),
                                     "--target",        network_->target(),
                                     "--ca-file",       network_->ca_file(),
                                     "--timeout",       "2"};
    if (!capture.empty()) argv.insert(argv.end(), {"--packets", "--capture", capture});
    return parse_run(network_->net().exec(client(), argv));
  }
  // The reading of `probe`'s packets (check_mtu with a capture).
  static std::string reading(const MtuRun& r, std::string_view probe) {
    const json::value* packets = r.result.if_contains("packets");
    if (!packets) return "(no packets in the output)";
    return std::string(packets->at(probe).at("reading").as_string());
  }
  // tcpdump's reading of a capture file: it must open it.
  static std::string tcpdump(const std::string& file) {
    auto run = testing::run_process({"tcpdump", "-nn", "-r", file});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.out;
  }
  testing::TempDir dir_{"pw-mtu-capture"};
};

TEST_F(MtuNetnsTest, HealthyPathHasNoVerdictAndCarriesRealSegmentsOnly) {
  // Counting rules (no target): which packet sizes really cross the link.
  rule(client(), kLarge, "large");
  rule(server(), kLarge, "large");
  rule(client(), "1501:65535", "super");
  rule(server(), "1501:65535", "super");
  MtuRun r = check_mtu();
  EXPECT_EQ(r.outcome("normal"), "ok") << r.err;
  EXPECT_EQ(r.outcome("clamped"), "ok");
  EXPECT_EQ(r.outcome("padded"), "ok");
  EXPECT_EQ(r.verdict(), "none");
  EXPECT_EQ(r.exit_code, 0);
  // The server's flight fills segments inbound; only the padded ClientHello does outbound.
  EXPECT_GT(packets(client(), "large"), 0);
  EXPECT_GT(packets(server(), "large"), 0);
  // No offload super-packets: what iptables matches is what crosses the wire.
  EXPECT_EQ(packets(client(), "super"), 0);
  EXPECT_EQ(packets(server(), "super"), 0);
  // The evidence: full MSS normally (1500 - 40 - 12 bytes of timestamps), clamped to 536.
  EXPECT_EQ(r.tcp("normal", "snd_mss"), 1448);
  EXPECT_EQ(r.tcp("normal", "pmtu"), 1500);
  EXPECT_LE(r.tcp("clamped", "snd_mss"), 536);
  EXPECT_EQ(r.mtu().at("padded_hello_bytes").to_number<std::int64_t>(), 1448);
}

// Captured (issue 19): the probe's own capture sees the large segments arrive (libpcap taps
// before netfilter's INPUT), never acknowledged and sent again, and its reading says so.
TEST_F(MtuNetnsTest, InboundBlackholeIsInbound) {
  rule(client(), kLarge, "blackhole", {"-j", "DROP"});
  std::string capture = (dir_.path() / "inbound.pcap").string();
  MtuRun r = check_mtu(capture);
  EXPECT_EQ(r.outcome("normal"), "tls_stalled") << r.err;
  EXPECT_EQ(r.outcome("clamped"), "ok");
  EXPECT_EQ(r.outcome("padded"), "tls_stalled");
  EXPECT_EQ(r.verdict(), "inbound");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_GT(packets(client(), "blackhole"), 0);
  std::string normal = reading(r, "normal");
  EXPECT_NE(normal.find("reached this host but were never acknowledged"), std::string::npos)
      << normal;
  EXPECT_NE(normal.find("the proxy retransmitted"), std::string::npos) << normal;
  EXPECT_NE(reading(r, "clamped").find("clean exchange"), std::string::npos)
      << reading(r, "clamped");
  std::string dump = tcpdump(capture);
  EXPECT_NE(dump.find("length 1448"), std::string::npos) << dump;  // full-size segments
}

TEST_F(MtuNetnsTest, InboundResetOnLargePacketsIsInbound) {
  // The RST goes to the sender of the large packet (squid); the client is left waiting.
  rule(client(), kLarge, "reset", {"-j", "REJECT", "--reject-with", "tcp-reset"});
  MtuRun r = check_mtu();
  // The client's next ACK meets the connection squid's kernel has dropped, and is answered
  // with a reset, unless the deadline comes first.
  EXPECT_TRUE(lost(r.outcome("normal"))) << r.outcome("normal") << r.err;
  EXPECT_EQ(r.outcome("clamped"), "ok");
  EXPECT_TRUE(lost(r.outcome("padded"))) << r.outcome("padded");
  EXPECT_EQ(r.verdict(), "inbound");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_GT(packets(client(), "reset"), 0);
}

TEST_F(MtuNetnsTest, OutboundBlackholeIsOutbound) {
  rule(server(), kLarge, "blackhole", {"-j", "DROP"});
  std::string capture = (dir_.path() / "outbound.pcap").string();
  MtuRun r = check_mtu(capture);
  // Captured: the padded ClientHello went out again and again, and nothing came back.
  std::string padded = reading(r, "padded");
  EXPECT_NE(padded.find("the ClientHello was retransmitted"), std::string::npos) << padded;
  EXPECT_NE(padded.find("data came back for"), std::string::npos) << padded;
  EXPECT_FALSE(tcpdump(capture).empty());
  EXPECT_EQ(r.outcome("normal"), "ok") << r.err;
  EXPECT_EQ(r.outcome("clamped"), "ok");
  EXPECT_EQ(r.outcome("padded"), "tls_stalled");
  EXPECT_EQ(r.verdict(), "outbound");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_GT(packets(server(), "blackhole"), 0);
  // The evidence: the padded hello's segment was sent again and again, in vain.
  EXPECT_GT(r.tcp("padded", "retransmits", "tcp"), 0);
  EXPECT_EQ(r.tcp("normal", "retransmits", "tcp"), 0);
}

TEST_F(MtuNetnsTest, OutboundResetOnLargePacketsIsOutbound) {
  rule(server(), kLarge, "reset", {"-j", "REJECT", "--reject-with", "tcp-reset"});
  MtuRun r = check_mtu();
  EXPECT_EQ(r.outcome("normal"), "ok") << r.err;
  EXPECT_EQ(r.outcome("clamped"), "ok");
  EXPECT_EQ(r.outcome("padded"), "tls_reset");
  EXPECT_EQ(r.verdict(), "outbound");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_GT(packets(server(), "reset"), 0);
}

// No namespaces needed: every probe dies after the 200, whatever its packet sizes.
TEST(MtuCheckTest, ProxySilentAfterConnectIsNoMtuVerdict) {
  testing::FakeProxy proxy({.behavior = testing::FakeProxy::Behavior::kOkThenSilent});
  auto run = testing::run_process({PROXYWATCH_BINARY, "check", "--mtu", "--json", "--proxy",
                                   "127.0.0.1:" + std::to_string(proxy.port()), "--target",
                                   "origin.test:443", "--timeout", "1"},
                                  {}, std::chrono::seconds(30));
  MtuRun r = parse_run(run);
  EXPECT_EQ(r.outcome("normal"), "tls_stalled");
  EXPECT_EQ(r.outcome("clamped"), "tls_stalled");
  EXPECT_EQ(r.outcome("padded"), "tls_stalled");
  EXPECT_EQ(r.verdict(), "none");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(proxy.requests().size(), 3u);
}

}  // namespace
}  // namespace proxywatch
