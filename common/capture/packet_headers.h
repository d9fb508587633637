// The headers of one captured packet, parsed with a bound check before every read: the link
// layer libpcap gave (Linux cooked v1/v2, Ethernet, raw IP, BSD loopback), IPv4 or IPv6, then
// TCP (ports, sequence numbers, flags, the options of a SYN) or ICMP "fragmentation needed" /
// ICMPv6 "packet too big" with the addresses and ports of the packet they quote. Also the TCP
// checksum, recomputed after a payload was masked. Internal to common/capture.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace proxywatch::capture {

// An IPv4 or IPv6 address as bytes (IPv4 in the first four) and a port.
struct PacketEndpoint {
  bool v6 = false;
  std::array<std::uint8_t, 16> address{};
  std::uint16_t port = 0;

  bool operator==(const PacketEndpoint&) const = default;
  // "192.0.2.1:3128", "[2001:db8::1]:3128".
  std::string to_string() const;
};

// TCP flag bits (RFC 9293 §3.1).
inline constexpr std::uint8_t kFin = 0x01;
inline constexpr std::uint8_t kSyn = 0x02;
inline constexpr std::uint8_t kRst = 0x04;
inline constexpr std::uint8_t kPsh = 0x08;
inline constexpr std::uint8_t kAck = 0x10;

struct TcpSegment {
  PacketEndpoint source;
  PacketEndpoint destination;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;
  std::uint16_t window = 0;
  // SYN options (RFC 9293 §3.2, RFC 7323, RFC 2018).
  std::optional<std::uint16_t> mss;
  std::optional<std::uint8_t> window_scale;
  bool sack_permitted = false;
  bool has_sack_blocks = false;
  // Offsets into the packet's bytes, and the payload's length on the wire (from the IP
  // length) and as captured.
  std::size_t ip_offset = 0;
  std::size_t tcp_offset = 0;
  std::size_t payload_offset = 0;
  std::uint32_t payload_length = 0;
  std::size_t payload_captured = 0;
};

// An ICMP "fragmentation needed" (type 3 code 4) or ICMPv6 "packet too big" (type 2), with the
// next-hop MTU and the endpoints of the TCP segment it quotes (as that segment had them).
struct TooBig {
  std::uint32_t mtu = 0;
  PacketEndpoint quoted_source;
  PacketEndpoint quoted_destination;
};

struct ParsedPacket {
  std::optional<TcpSegment> tcp;
  std::optional<TooBig> too_big;
};

// Parses `bytes` (captured from link type `link_type`, a DLT_ value); neither member set when
// the packet is neither, or is cut short before what is needed.
ParsedPacket parse_packet(int link_type, std::string_view bytes);

// Recomputes the TCP checksum of `segment` in `bytes` (the whole segment must be captured);
// false when it is not.
bool fix_tcp_checksum(std::string& bytes, const TcpSegment& segment);

}  // namespace proxywatch::capture
