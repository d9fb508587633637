// Link layer → IP → TCP or ICMP, each read only after its bytes were checked to be there.
#include "common/capture/packet_headers.h"

#include <algorithm>

#include <pcap/dlt.h>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/address_v6.hpp>

namespace proxywatch::capture {
namespace {

constexpr std::uint16_t kEtherIpv4 = 0x0800;
constexpr std::uint16_t kEtherIpv6 = 0x86dd;
constexpr std::uint16_t kEtherVlan = 0x8100;
constexpr std::uint8_t kProtoTcp = 6;
constexpr std::uint8_t kProtoIcmp = 1;
constexpr std::uint8_t kProtoIcmp6 = 58;

std::uint16_t be16(std::string_view b, std::size_t at) {
  return static_cast<std::uint16_t>((static_cast<std::uint8_t>(b[at]) << 8) |
                                    static_cast<std::uint8_t>(b[at + 1]));
}

std::uint32_t be32(std::string_view b, std::size_t at) {
  return (std::uint32_t{be16(b, at)} << 16) | be16(b, at + 2);
}

std::uint8_t byte_at(std::string_view b, std::size_t at) {
  return static_cast<std::uint8_t>(b[at]);
}

// Where the IP header starts and which IP version the link layer says it is (0: unknown).
struct NetworkStart {
  std::size_t offset = 0;
  int version = 0;
};

int version_of_ethertype(std::uint16_t type) {
  if (type == kEtherIpv4) return 4;
  if (type == kEtherIpv6) return 6;
  return 0;
}

NetworkStart network_start(int link_type, std::string_view b) {
  switch (link_type) {
    case DLT_LINUX_SLL2:  // protocol type at 0, header 20 bytes
      if (b.size() < 20) return {};
      return {20, version_of_ethertype(be16(b, 0))};
    case DLT_LINUX_SLL:  // protocol type at 14, header 16 bytes
      if (b.size() < 16) return {};
      return {16, version_of_ethertype(be16(b, 14))};
    case DLT_EN10MB: {
      if (b.size() < 14) return {};
      std::uint16_t type = be16(b, 12);
      if (type != kEtherVlan) return {14, version_of_ethertype(type)};
      if (b.size() < 18) return {};
      return {18, version_of_ethertype(be16(b, 16))};
    }
    case DLT_NULL:
    case DLT_LOOP:  // a 4-byte address family; the IP version follows
      if (b.size() < 5) return {};
      return {4, byte_at(b, 4) >> 4};
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
      if (b.empty()) return {};
      return {0, byte_at(b, 0) >> 4};
    default:
      return {};
  }
}

// The IP header at `at`: the endpoints' addresses, the protocol and where its payload starts
// and ends (by the IP length, which may exceed what was captured).
struct IpHeader {
  PacketEndpoint source;
  PacketEndpoint destination;
  std::uint8_t protocol = 0;
  std::size_t payload_offset = 0;
  std::size_t payload_end = 0;  // on the wire
};

std::optional<IpHeader> parse_ip(std::string_view b, std::size_t at, int version) {
  IpHeader ip;
  if (version == 4) {
    if (b.size() < at + 20) return std::nullopt;
    std::size_t header = (byte_at(b, at) & 0x0f) * 4u;
    if (header < 20 || b.size() < at + header) return std::nullopt;
    ip.protocol = byte_at(b, at + 9);
    std::copy_n(b.data() + at + 12, 4, ip.source.address.begin());
    std::copy_n(b.data() + at + 16, 4, ip.destination.address.begin());
    ip.payload_offset = at + header;
    ip.payload_end = at + std::max<std::size_t>(be16(b, at + 2), header);
    return ip;
  }
  if (version == 6) {
    if (b.size() < at + 40) return std::nullopt;
    ip.source.v6 = ip.destination.v6 = true;
    // Extension headers are not followed: the probe's packets carry none.
    ip.protocol = byte_at(b, at + 6);
    std::copy_n(b.data() + at + 8, 16, ip.source.address.begin());
    std::copy_n(b.data() + at + 24, 16, ip.destination.address.begin());
    ip.payload_offset = at + 40;
    ip.payload_end = ip.payload_offset + be16(b, at + 4);
    return ip;
  }
  return std::nullopt;
}

void read_syn_options(std::string_view b, std::size_t from, std::size_t to, TcpSegment& tcp) {
  std::size_t i = from;
  while (i < to) {
    std::uint8_t kind = byte_at(b, i);
    if (kind == 0) break;  // end of options
    if (kind == 1) {       // no-op
      ++i;
      continue;
    }
    if (i + 1 >= to) break;
    std::size_t length = byte_at(b, i + 1);
    if (length < 2 || i + length > to) break;
    if (kind == 2 && length == 4) tcp.mss = be16(b, i + 2);
    if (kind == 3 && length == 3) tcp.window_scale = byte_at(b, i + 2);
    if (kind == 4) tcp.sack_permitted = true;
    if (kind == 5) tcp.has_sack_blocks = true;
    i += length;
  }
}

std::optional<TcpSegment> parse_tcp(std::string_view b, const IpHeader& ip) {
  std::size_t at = ip.payload_offset;
  if (b.size() < at + 20) return std::nullopt;
  TcpSegment tcp;
  tcp.source = ip.source;
  tcp.destination = ip.destination;
  tcp.source.port = be16(b, at);
  tcp.destination.port = be16(b, at + 2);
  tcp.seq = be32(b, at + 4);
  tcp.ack = be32(b, at + 8);
  std::size_t header = (byte_at(b, at + 12) >> 4) * 4u;
  if (header < 20) return std::nullopt;
  tcp.flags = byte_at(b, at + 13);
  tcp.window = be16(b, at + 14);
  read_syn_options(b, at + 20, std::min(b.size(), at + header), tcp);
  tcp.ip_offset = 0;
  tcp.tcp_offset = at;
  tcp.payload_offset = std::min(b.size(), at + header);
  tcp.payload_length =
      static_cast<std::uint32_t>(ip.payload_end > at + header ? ip.payload_end - at - header : 0);
  tcp.payload_captured = std::min<std::size_t>(tcp.payload_length, b.size() - tcp.payload_offset);
  return tcp;
}

// The endpoints of the TCP segment an ICMP error quotes: its IP header and first 8 bytes.
std::optional<TooBig> parse_too_big(std::string_view b, const IpHeader& ip) {
  std::size_t at = ip.payload_offset;
  if (b.size() < at + 8) return std::nullopt;
  std::uint8_t type = byte_at(b, at);
  std::uint8_t code = byte_at(b, at + 1);
  TooBig too_big;
  int quoted_version = 0;
  if (ip.protocol == kProtoIcmp && type == 3 && code == 4) {
    too_big.mtu = be16(b, at + 6);
    quoted_version = 4;
  } else if (ip.protocol == kProtoIcmp6 && type == 2) {
    too_big.mtu = be32(b, at + 4);
    quoted_version = 6;
  } else {
    return std::nullopt;
  }
  auto quoted = parse_ip(b, at + 8, quoted_version);
  if (!quoted || quoted->protocol != kProtoTcp || b.size() < quoted->payload_offset + 4) {
    return std::nullopt;
  }
  too_big.quoted_source = quoted->source;
  too_big.quoted_destination = quoted->destination;
  too_big.quoted_source.port = be16(b, quoted->payload_offset);
  too_big.quoted_destination.port = be16(b, quoted->payload_offset + 2);
  return too_big;
}

}  // namespace

std::string PacketEndpoint::to_string() const {
  if (!v6) {
    boost::asio::ip::address_v4::bytes_type bytes{};
    std::copy_n(address.begin(), 4, bytes.begin());
    return boost::asio::ip::address_v4(bytes).to_string() + ":" + std::to_string(port);
  }
  return "[" + boost::asio::ip::address_v6(address).to_string() + "]:" + std::to_string(port);
}

ParsedPacket parse_packet(int link_type, std::string_view bytes) {
  ParsedPacket parsed;
  NetworkStart start = network_start(link_type, bytes);
  auto ip = parse_ip(bytes, start.offset, start.version);
  if (!ip) return parsed;
  if (ip->protocol == kProtoTcp) {
    parsed.tcp = parse_tcp(bytes, *ip);
    if (parsed.tcp) parsed.tcp->ip_offset = start.offset;
  } else if (ip->protocol == kProtoIcmp || ip->protocol == kProtoIcmp6) {
    parsed.too_big = parse_too_big(bytes, *ip);
  }
  return parsed;
}

bool fix_tcp_checksum(std::string& bytes, const TcpSegment& segment) {
  std::size_t tcp_length = segment.payload_offset - segment.tcp_offset + segment.payload_length;
  if (bytes.size() < segment.tcp_offset + tcp_length) return false;
  std::uint64_t sum = 0;
  auto add = [&sum](std::string_view b) {
    for (std::size_t i = 0; i + 1 < b.size(); i += 2) sum += be16(b, i);
    if (b.size() % 2 != 0) sum += std::uint32_t{byte_at(b, b.size() - 1)} << 8;
  };
  // The pseudo-header (RFC 9293 §3.1; RFC 8200 §8.1 for IPv6).
  std::size_t address_bytes = segment.source.v6 ? 16 : 4;
  auto as_view = [](const std::array<std::uint8_t, 16>& a, std::size_t n) {
    return std::string_view(reinterpret_cast<const char*>(a.data()), n);
  };
  add(as_view(segment.source.address, address_bytes));
  add(as_view(segment.destination.address, address_bytes));
  sum += kProtoTcp;
  sum += tcp_length;
  bytes[segment.tcp_offset + 16] = bytes[segment.tcp_offset + 17] = 0;
  add(std::string_view(bytes).substr(segment.tcp_offset, tcp_length));
  while ((sum >> 16) != 0) sum = (sum & 0xffff) + (sum >> 16);
  auto checksum = static_cast<std::uint16_t>(~sum & 0xffff);
  bytes[segment.tcp_offset + 16] = static_cast<char>(checksum >> 8);
  bytes[segment.tcp_offset + 17] = static_cast<char>(checksum & 0xff);
  return true;
}

}  // namespace proxywatch::capture
