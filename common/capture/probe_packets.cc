// What a probe's capture holds.
#include "common/capture/probe_packets.h"

namespace proxywatch {

std::size_t ProbePackets::bytes() const {
  std::size_t total = 0;
  for (const CapturedPacket& packet : packets) total += packet.bytes.size();
  return total;
}

}  // namespace proxywatch
