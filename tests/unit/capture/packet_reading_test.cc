// The packet reading on hand-built captures: each of the guide's pictures (a clean tunnel, a
// 403 and a FIN, a reset after the ClientHello, a server flight that never arrives, one that
// arrives but is dropped on this host, an unanswered SYN, ICMP "fragmentation needed") must
// give its lines and its sentence.
#include "common/capture/packet_reading.h"

#include <gtest/gtest.h>

#include "tests/unit/capture/packet_builder.h"

namespace proxywatch {
namespace {

using capture::kAck;
using capture::kFin;
using capture::kPsh;
using capture::kRst;
using capture::kSyn;
using testing::add;
using testing::handshake;
using testing::Segment;

const std::string kConnect = "CONNECT fmc.example:443 HTTP/1.1\r\nHost: fmc.example:443\r\n\r\n";
const std::string kEstablished = "HTTP/1.1 200 Connection established\r\n\r\n";
// Where the ClientHello starts in the probe's sequence space, and where it ends (5 + 204).
const auto kHelloSeq = static_cast<std::uint32_t>(1 + kConnect.size());
const std::uint32_t kAfterHello = kHelloSeq + 209;
// Where the proxy's data after its 200 starts.
const auto kServerSeq = static_cast<std::uint32_t>(1 + kEstablished.size());

std::string record(std::uint8_t type, const std::string& body) {
  std::string r = {static_cast<char>(type), '\x03', '\x03'};
  r += static_cast<char>((body.size() >> 8) & 0xff);
  r += static_cast<char>(body.size() & 0xff);
  return r + body;
}

std::string handshake_message(std::uint8_t type, std::size_t length) {
  std::string m = {static_cast<char>(type), 0, static_cast<char>((length >> 8) & 0xff),
                   static_cast<char>(length & 0xff)};
  return m + std::string(length, '\x01');
}

// A tunnel up to the ClientHello (sent at 5 ms): handshake, CONNECT, 200, ClientHello.
ProbePackets tunnel_to_client_hello() {
  ProbePackets p = testing::raw_packets();
  handshake(p);
  add(p, 2, {.out = true, .flags = kPsh | kAck, .payload = kConnect});
  add(p, 3, {.out = false, .flags = kPsh | kAck, .ack = kHelloSeq, .payload = kEstablished});
  add(p, 5,
      {.out = true,
       .flags = kPsh | kAck,
       .seq = kHelloSeq,
       .ack = kServerSeq,
       .payload = record(22, handshake_message(1, 200))});
  return p;
}

TEST(PacketReadingTest, CleanTunnelNamesEachPacketAndSaysItWasClean) {
  ProbePackets p = tunnel_to_client_hello();
  std::string server = record(22, handshake_message(2, 118)) + record(20, "\x01") +
                       record(23, std::string(900, 'e'));
  add(p, 9,
      {.out = false,
       .flags = kPsh | kAck,
       .seq = kServerSeq,
       .ack = kAfterHello,
       .payload = server});
  add(p, 10, {.out = true, .flags = kFin | kAck, .seq = kAfterHello, .ack = kServerSeq + 1038});
  add(p, 11,
      {.out = false, .flags = kFin | kAck, .seq = kServerSeq + 1038, .ack = kAfterHello + 1});
  PacketReading r = read_packets(p);
  ASSERT_EQ(r.lines.size(), 9u);
  EXPECT_EQ(r.lines[0].flags, "S");
  EXPECT_EQ(r.lines[0].options, "mss 1460, sackOK, wscale 7");
  EXPECT_EQ(r.lines[1].flags, "S.");
  EXPECT_EQ(r.lines[1].direction, PacketDirection::kIn);
  EXPECT_EQ(r.lines[3].what, "CONNECT fmc.example:443");
  EXPECT_EQ(r.lines[4].what, "HTTP/1.1 200 Connection established");
  EXPECT_EQ(r.lines[5].what, "TLS ClientHello (204 bytes)");
  EXPECT_EQ(r.lines[5].seq, kHelloSeq);
  EXPECT_EQ(r.lines[6].what,
            "TLS ServerHello (122 bytes), ChangeCipherSpec, application data (900 bytes)");
  EXPECT_NEAR(r.lines[6].seconds, 0.009, 1e-6);
  EXPECT_EQ(r.reading,
            "A clean exchange: nothing lost, nothing sent twice; the probe closed the "
            "connection.");
  std::string text = format_packet_reading(r);
  EXPECT_NE(text.find("> S    seq 0       len 0     mss 1460"), std::string::npos) << text;
  EXPECT_NE(text.find("reading: A clean exchange"), std::string::npos) << text;
}

TEST(PacketReadingTest, ForbiddenAndFinAreTheProxysAnswerAndClose) {
  ProbePackets p = testing::raw_packets();
  handshake(p);
  add(p, 2, {.out = true, .flags = kPsh | kAck, .payload = kConnect});
  std::string forbidden = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
  add(p, 3, {.out = false, .flags = kPsh | kAck, .ack = kHelloSeq, .payload = forbidden});
  auto after_answer = static_cast<std::uint32_t>(1 + forbidden.size());
  add(p, 3.1, {.out = false, .flags = kFin | kAck, .seq = after_answer, .ack = kHelloSeq});
  add(p, 3.5, {.out = true, .flags = kFin | kAck, .seq = kHelloSeq, .ack = after_answer + 1});
  PacketReading r = read_packets(p);
  EXPECT_TRUE(r.fin_by_peer);
  EXPECT_EQ(r.reading,
            "The proxy answered \"HTTP/1.1 403 Forbidden\"; the proxy closed the connection (FIN) "
            "0.00 s after the SYN, right after its answer.");
}

TEST(PacketReadingTest, ResetAfterTheClientHelloIsNamed) {
  ProbePackets p = tunnel_to_client_hello();
  add(p, 6, {.out = false, .flags = kRst | kAck, .seq = kServerSeq, .ack = kAfterHello});
  PacketReading r = read_packets(p);
  EXPECT_TRUE(r.reset_by_peer);
  EXPECT_EQ(r.lines.back().flags, "R.");
  EXPECT_EQ(r.reading,
            "The proxy reset the connection 0.01 s after the SYN, after the "
            "ClientHello.");
}

TEST(PacketReadingTest, ClientHelloSentAgainAndUnansweredIsRetransmitted) {
  ProbePackets p = tunnel_to_client_hello();
  Segment again{.out = true,
                .flags = kPsh | kAck,
                .seq = kHelloSeq,
                .ack = kServerSeq,
                .payload = record(22, handshake_message(1, 200))};
  add(p, 300, again);
  add(p, 900, again);
  add(p, 2000, {.out = true, .flags = kRst | kAck, .seq = kAfterHello, .ack = kServerSeq});
  PacketReading r = read_packets(p);
  EXPECT_EQ(r.retransmissions_out, 2u);
  EXPECT_EQ(r.lines[6].what, "retransmission of TLS ClientHello (204 bytes)");
  EXPECT_EQ(r.reading,
            "No data came back for 2.00 s after the ClientHello; the ClientHello was "
            "retransmitted twice; the probe reset the connection.");
}

TEST(PacketReadingTest, ServerFlightLostBeforeTheCaptureIsMissingBytes) {
  ProbePackets p = tunnel_to_client_hello();
  // Two full-size segments (40..2936) lost on the way; the 500-byte tail arrives.
  add(p, 9,
      {.out = false,
       .flags = kPsh | kAck,
       .seq = kServerSeq + 2896,
       .ack = kAfterHello,
       .payload = std::string(500, 'z')});
  Segment dup{.out = true, .seq = kAfterHello, .ack = kServerSeq, .sack_block = true};
  add(p, 9.1, dup);
  add(p, 9.2, dup);
  PacketReading r = read_packets(p);
  EXPECT_EQ(r.missing_in_bytes, 2896u);
  EXPECT_EQ(r.duplicate_acks, 1u);
  EXPECT_EQ(r.lines[6].what, "after 2896 bytes that did not arrive");
  EXPECT_EQ(r.lines[8].what, "duplicate ACK with SACK");
  EXPECT_EQ(r.reading,
            "2896 bytes the proxy sent never arrived (the largest of its packets that came was "
            "540 bytes); the probe asked for them again with 1 duplicate ACKs.");
}

TEST(PacketReadingTest, ServerFlightSeenButNeverAcknowledgedIsDroppedOnThisHost) {
  ProbePackets p = tunnel_to_client_hello();
  Segment big{.out = false,
              .flags = kAck,
              .seq = kServerSeq,
              .ack = kAfterHello,
              .payload = record(22, handshake_message(2, 1500)).substr(0, 1448)};
  add(p, 9, big);
  add(p, 300, big);
  PacketReading r = read_packets(p);
  EXPECT_EQ(r.retransmissions_in, 1u);
  EXPECT_EQ(r.missing_in_bytes, 0u);
  EXPECT_NE(r.reading.find("1448 bytes the proxy sent (in packets of up to 1488 bytes) reached "
                           "this host but were never acknowledged"),
            std::string::npos)
      << r.reading;
  EXPECT_NE(r.reading.find("the proxy retransmitted 1 segment"), std::string::npos) << r.reading;
}

TEST(PacketReadingTest, UnansweredAndRefusedSyns) {
  ProbePackets silent = testing::raw_packets();
  add(silent, 0, {.out = true, .flags = kSyn, .mss_option = true});
  add(silent, 1000, {.out = true, .flags = kSyn, .mss_option = true});
  add(silent, 3000, {.out = true, .flags = kSyn, .mss_option = true});
  EXPECT_EQ(read_packets(silent).reading,
            "The proxy never answered the SYN (sent 3 times over 3.00 s).");
  ProbePackets refused = testing::raw_packets();
  add(refused, 0, {.out = true, .flags = kSyn});
  add(refused, 0.1, {.out = false, .flags = kRst | kAck, .seq = 0, .ack = 1});
  EXPECT_EQ(read_packets(refused).reading, "The proxy refused the connection (RST to the SYN).");
}

TEST(PacketReadingTest, IcmpFragmentationNeededIsNamedWithItsMtu) {
  ProbePackets p = tunnel_to_client_hello();
  // ICMP type 3 code 4 from a router, quoting the probe's ClientHello segment.
  std::string quoted =
      testing::build_segment({.out = true, .flags = kPsh | kAck, .seq = kHelloSeq, .payload = "x"})
          .substr(0, 28);
  std::string icmp = std::string("\x03\x04\x00\x00\x00\x00\x05\x78", 8) + quoted;
  std::string ip(20, '\0');
  ip[0] = 0x45;
  testing::put16(ip, 2, static_cast<std::uint32_t>(20 + icmp.size()));
  ip[9] = 1;
  ip.replace(12, 4, std::string("\x0a\x00\x00\xfe", 4));
  ip.replace(16, 4, std::string("\x0a\x00\x00\x01", 4));
  CapturedPacket packet;
  packet.time = p.packets.back().time + std::chrono::milliseconds(1);
  packet.bytes = ip + icmp;
  packet.wire_length = static_cast<std::uint32_t>(packet.bytes.size());
  p.packets.push_back(packet);
  PacketReading r = read_packets(p);
  EXPECT_TRUE(r.icmp_frag_needed);
  EXPECT_EQ(r.lines.back().what, "fragmentation needed, next-hop MTU 1400");
  EXPECT_NE(r.reading.find("\"fragmentation needed\" (next-hop MTU 1400)"), std::string::npos)
      << r.reading;
}

TEST(PacketReadingTest, GarbageIsReadAsFarAsItGoes) {
  ProbePackets p = testing::raw_packets();
  for (std::string bytes : {std::string(), std::string("\x45"), std::string(60, '\xff'),
                            std::string("\x60") + std::string(39, '\0')}) {
    CapturedPacket packet;
    packet.bytes = bytes;
    p.packets.push_back(packet);
  }
  PacketReading r = read_packets(p);
  EXPECT_EQ(r.lines.size(), 4u);
  EXPECT_EQ(r.lines[0].flags, "?");
  EXPECT_EQ(r.reading, "No packet of the probe's connection was captured.");
}

}  // namespace
}  // namespace proxywatch
