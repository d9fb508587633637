// The packets of one probe as captured: plain data, what a capture file holds and what the
// packet reading (packet_reading.h) reads. Credentials are already masked in them
// (credential_mask.h): nothing holding a ProbePackets holds a password.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace proxywatch {

struct CapturedPacket {
  // When libpcap saw it (wall clock, µs resolution).
  std::chrono::system_clock::time_point time{};
  // Its length on the wire; `bytes` may be shorter (the snap length).
  std::uint32_t wire_length = 0;
  // The captured bytes from the link-layer header on (ProbePackets::link_type).
  std::string bytes;
};

struct ProbePackets {
  // libpcap's DLT_ of every packet (DLT_LINUX_SLL2 for a live capture on "any").
  int link_type = 0;
  // The snap length the packets were captured with.
  std::uint32_t snap_length = 0;
  std::vector<CapturedPacket> packets;
  // Packets of the probe that were not kept because the probe's bound was reached
  // (kMaxPacketsPerProbe / kMaxBytesPerProbe); FIN, RST and ICMP are kept beyond the bound.
  std::uint64_t dropped = 0;
  // Packets the kernel dropped before libpcap read them, during this probe (pcap_stats).
  std::uint64_t kernel_dropped = 0;
  // The bytes `packets` hold.
  std::size_t bytes() const;
};

// The bounds of one probe's capture: a probe without a download is 10–30 packets of a few KiB.
inline constexpr std::size_t kMaxPacketsPerProbe = 512;
inline constexpr std::size_t kMaxBytesPerProbe = 256 * 1024;
// Bytes kept of each packet: a full-size Ethernet segment whole, and on loopback (MSS 65483)
// a TLS server flight of a few certificates.
inline constexpr std::uint32_t kSnapLength = 16 * 1024;

}  // namespace proxywatch
