// libFuzzer target: captured packets read as the guide reads tcpdump (common/capture/
// packet_reading.h) and the credential mask run over them (credential_mask.h). The input is a
// link type selector (one byte) then packets, each a 2-byte big-endian length and its bytes.
// The reading must end its sentence with a full stop, keep every text printable, and the mask
// must keep every payload's length.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <pcap/dlt.h>

#include "common/capture/credential_mask.h"
#include "common/capture/packet_reading.h"

namespace {

void check_text(const std::string& text) {
  for (unsigned char c : text) {
    if (c < 0x20 && c != '\n') std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr int kLinkTypes[] = {DLT_RAW, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_EN10MB, DLT_NULL};
  proxywatch::ProbePackets packets;
  packets.link_type = kLinkTypes[data[0] % 5];
  proxywatch::CredentialMask mask;
  std::size_t at = 1;
  std::uint32_t seq = 0;
  while (at + 2 <= size && packets.packets.size() < 256) {
    std::size_t length = (std::size_t{data[at]} << 8) | data[at + 1];
    at += 2;
    length = std::min(length, size - at);
    proxywatch::CapturedPacket packet;
    packet.bytes.assign(reinterpret_cast<const char*>(data + at), length);
    packet.wire_length = static_cast<std::uint32_t>(length);
    packet.time += std::chrono::microseconds(packets.packets.size() * 1000);
    at += length;
    std::string masked = packet.bytes;
    mask.apply(seq, masked);
    if (masked.size() != packet.bytes.size()) std::abort();
    seq += static_cast<std::uint32_t>(length);
    packets.packets.push_back(std::move(packet));
  }
  proxywatch::PacketReading reading = proxywatch::read_packets(packets);
  if (reading.lines.size() != packets.packets.size()) std::abort();
  if (reading.reading.empty() || reading.reading.back() != '.') std::abort();
  for (const auto& line : reading.lines) {
    check_text(line.what);
    check_text(line.options);
  }
  check_text(proxywatch::format_packet_reading(reading));
  return 0;
}
