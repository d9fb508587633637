// Masking credentials in captured packets: the value of every Proxy-Authorization (and
// Authorization) header a probe sends is overwritten with 'x', byte for byte, so lengths and
// sequence numbers stay as sent; the TCP checksum is recomputed over the masked bytes, so
// tcpdump and Wireshark see a valid segment. The header may span segments, and a segment may be
// retransmitted: the mask follows the stream by sequence number.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace proxywatch {

// The outgoing byte stream of one connection, scanned as it goes out.
class CredentialMask {
 public:
  // Masks the payload `payload` (in place) that starts at sequence number `seq`; returns true
  // when a byte was changed.
  bool apply(std::uint32_t seq, std::string& payload);

 private:
  // Where the scan stands in the stream.
  enum class State { kLineStart, kName, kValue, kOther };
  std::uint32_t next_seq_ = 0;
  bool started_ = false;
  State state_ = State::kLineStart;
  bool skipping_space_ = false;  // between a secret header's colon and its value
  std::string name_;
  // Masked ranges [begin, end) by sequence number, for retransmissions.
  std::map<std::uint32_t, std::uint32_t> masked_;
};

}  // namespace proxywatch
