// Hand-built IPv4 TCP packets (link type DLT_RAW) for the capture's unit tests: a probe at
// 10.0.0.1:40000 and a proxy at 10.0.0.2:3128, with sequence numbers relative to fixed ISNs.
#pragma once

#include <pcap/dlt.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "common/capture/packet_headers.h"
#include "common/capture/probe_packets.h"

namespace proxywatch::testing {

inline constexpr std::uint32_t kProbeIsn = 1000;
inline constexpr std::uint32_t kProxyIsn = 5000000;

// One TCP segment. `out`: from the probe. `seq`/`ack` are relative (added to the ISNs).
struct Segment {
  bool out = true;
  std::uint8_t flags = capture::kAck;
  std::uint32_t seq = 1;
  std::uint32_t ack = 1;
  std::string payload{};
  bool mss_option = false;  // a SYN's MSS 1460, sackOK, wscale 7
  bool sack_block = false;
};

inline void put16(std::string& b, std::size_t at, std::uint32_t v) {
  b[at] = static_cast<char>((v >> 8) & 0xff);
  b[at + 1] = static_cast<char>(v & 0xff);
}

inline void put32(std::string& b, std::size_t at, std::uint32_t v) {
  put16(b, at, v >> 16);
  put16(b, at + 2, v & 0xffff);
}

inline std::string build_segment(const Segment& s) {
  std::string options;
  if (s.mss_option) options = std::string("\x02\x04\x05\xb4\x04\x02\x03\x03\x07\x01\x01\x01", 12);
  if (s.sack_block) options = std::string("\x01\x01\x05\x0a", 4) + std::string(8, '\x01');
  std::size_t tcp_header = 20 + options.size();
  std::string b(20 + tcp_header, '\0');
  b[0] = 0x45;
  put16(b, 2, static_cast<std::uint32_t>(b.size() + s.payload.size()));
  b[8] = 64;
  b[9] = 6;
  std::string probe("\x0a\x00\x00\x01", 4), proxy("\x0a\x00\x00\x02", 4);
  b.replace(12, 4, s.out ? probe : proxy);
  b.replace(16, 4, s.out ? proxy : probe);
  put16(b, 20, s.out ? 40000 : 3128);
  put16(b, 22, s.out ? 3128 : 40000);
  bool syn = (s.flags & capture::kSyn) != 0;
  std::uint32_t own_isn = s.out ? kProbeIsn : kProxyIsn;
  std::uint32_t peer_isn = s.out ? kProxyIsn : kProbeIsn;
  put32(b, 24, own_isn + (syn ? 0 : s.seq));
  put32(b, 28, (s.flags & capture::kAck) ? peer_isn + s.ack : 0);
  b[32] = static_cast<char>((tcp_header / 4) << 4);
  b[33] = static_cast<char>(s.flags);
  put16(b, 34, 502);
  b.replace(40, options.size(), options);
  return b + s.payload;
}

// Adds `s` at `ms` milliseconds after the start.
inline void add(ProbePackets& packets, double ms, const Segment& s) {
  CapturedPacket p;
  p.time = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000)) +
           std::chrono::microseconds(static_cast<long long>(ms * 1000));
  p.bytes = build_segment(s);
  p.wire_length = static_cast<std::uint32_t>(p.bytes.size());
  packets.packets.push_back(std::move(p));
}

inline ProbePackets raw_packets() {
  ProbePackets packets;
  packets.link_type = DLT_RAW;
  packets.snap_length = kSnapLength;
  return packets;
}

// The three packets of a TCP handshake, from `ms`.
inline void handshake(ProbePackets& packets, double ms = 0) {
  add(packets, ms, {.out = true, .flags = capture::kSyn, .mss_option = true});
  add(packets, ms + 1, {.out = false, .flags = capture::kSyn | capture::kAck, .mss_option = true});
  add(packets, ms + 1.1, {.out = true});
}

}  // namespace proxywatch::testing
