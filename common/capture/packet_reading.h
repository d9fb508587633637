// The packets of a probe read as the troubleshooting guide reads tcpdump: one line per packet —
// time since the first SYN, direction, TCP flags, relative sequence and length, MSS / window
// scale / SACK on SYNs, and what the packet is (the CONNECT or request line, the proxy's status
// line, TLS records with their sizes, retransmissions, duplicate ACKs, FIN, RST, ICMP
// "fragmentation needed") — and one sentence that reads them all ("the proxy's 1514-byte
// server flight never arrived; the ClientHello was retransmitted twice"). Pure: bytes in, text
// out; anything malformed is read as far as it goes, never trusted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/capture/probe_packets.h"

namespace proxywatch {

enum class PacketDirection { kOut, kIn };

struct PacketLine {
  double seconds = 0;       // since the first SYN (or the first packet)
  unsigned connection = 1;  // which of the probe's connections, in the order they began
  PacketDirection direction = PacketDirection::kOut;
  std::string flags;         // tcpdump's: "S", "S.", ".", "P.", "F.", "R." …; "ICMP" for ICMP
  std::uint32_t seq = 0;     // relative to the sender's ISN
  std::uint32_t length = 0;  // TCP payload bytes (on the wire)
  std::uint32_t wire_length = 0;  // the whole packet's on the wire
  std::string options;            // "mss 1460, wscale 7, sackOK" on SYNs, "" otherwise
  std::string what;  // "CONNECT fmc.example:443", "HTTP/1.1 200 Connection established",
                     // "TLS ClientHello (583 bytes, SNI fmc.example)", "retransmission" …
};

struct PacketReading {
  std::vector<PacketLine> lines;
  // One sentence (or a few joined by "; "), ending with a full stop.
  std::string reading;
  // The facts the sentence is made of, for tests and JSON.
  unsigned retransmissions_out = 0;
  unsigned retransmissions_in = 0;
  unsigned duplicate_acks = 0;
  bool reset_by_peer = false;
  bool reset_by_us = false;
  bool fin_by_peer = false;
  bool icmp_frag_needed = false;
  // Bytes the peer sent that never arrived (holes in its sequence space), and the largest
  // packet of the peer's that was seen.
  std::uint64_t missing_in_bytes = 0;
};

// Reads `packets` (direction by the connections' local side: a packet from a port the probe's
// SYN came from is outgoing).
PacketReading read_packets(const ProbePackets& packets);

// The lines and the reading as text, one packet per line, indented by `indent`.
std::string format_packet_reading(const PacketReading& reading, const std::string& indent = "  ");

}  // namespace proxywatch
