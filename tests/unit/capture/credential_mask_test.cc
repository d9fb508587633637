// The mask keeps credentials out of captured bytes however the stream is cut: whole, split in
// the name or the value, retransmitted, after bytes the capture missed; and it leaves the rest
// of the request, and lengths, as they were.
#include "common/capture/credential_mask.h"

#include <gtest/gtest.h>

#include "common/capture/packet_headers.h"
#include "tests/unit/capture/packet_builder.h"

namespace proxywatch {
namespace {

const std::string kRequest =
    "CONNECT fmc.example:443 HTTP/1.1\r\nHost: fmc.example:443\r\n"
    "Proxy-Authorization: Basic Ym9iOnNla3JpdA==\r\nUser-Agent: proxywatch\r\n\r\n";
const std::string kMasked =
    "CONNECT fmc.example:443 HTTP/1.1\r\nHost: fmc.example:443\r\n"
    "Proxy-Authorization: xxxxxxxxxxxxxxxxxxxxxx\r\nUser-Agent: proxywatch\r\n\r\n";

// The stream masked when cut into pieces at `cuts` (offsets), in order.
std::string masked_in_pieces(const std::string& stream, std::vector<std::size_t> cuts) {
  CredentialMask mask;
  std::string out;
  std::size_t from = 0;
  cuts.push_back(stream.size());
  for (std::size_t cut : cuts) {
    std::string piece = stream.substr(from, cut - from);
    mask.apply(static_cast<std::uint32_t>(4000000000u + from), piece);  // wraps past 2^32
    out += piece;
    from = cut;
  }
  return out;
}

TEST(CredentialMaskTest, MasksTheValueWholeOrCutAnywhere) {
  EXPECT_EQ(masked_in_pieces(kRequest, {}), kMasked);
  for (std::size_t cut = 1; cut < kRequest.size(); ++cut) {
    EXPECT_EQ(masked_in_pieces(kRequest, {cut}), kMasked) << "cut at " << cut;
  }
  EXPECT_EQ(masked_in_pieces(kRequest, {60, 61, 62, 70, 80}), kMasked);
}

TEST(CredentialMaskTest, DigestAndLowercaseAndSecondRequestAreMasked) {
  std::string digest =
      "GET http://feed.test/ HTTP/1.1\r\nproxy-authorization: Digest "
      "username=\"bob\", response=\"0123abcd\"\r\n\r\n";
  std::string again = kRequest + kRequest;
  std::string masked = masked_in_pieces(digest + again, {10, 90});
  EXPECT_EQ(masked.find("bob"), std::string::npos) << masked;
  EXPECT_EQ(masked.find("0123abcd"), std::string::npos);
  EXPECT_EQ(masked.find("Ym9iOnNla3JpdA"), std::string::npos);
  EXPECT_EQ(masked.size(), (digest + again).size());
  EXPECT_NE(masked.find("GET http://feed.test/ HTTP/1.1"), std::string::npos);
}

TEST(CredentialMaskTest, RetransmissionsAndGapsAreMaskedToo) {
  CredentialMask mask;
  std::string first = kRequest.substr(0, 80);
  mask.apply(100, first);
  std::string again = kRequest.substr(50, 40);  // overlaps the value, sent again
  EXPECT_TRUE(mask.apply(150, again));
  EXPECT_EQ(again, kMasked.substr(50, 40));
  // A segment after bytes the capture missed: masked to its line's end, to be safe.
  CredentialMask gap;
  std::string start = kRequest.substr(0, 30);
  gap.apply(0, start);
  std::string after = "sekrit-tail\r\nUser-Agent: x\r\n";
  gap.apply(60, after);
  EXPECT_EQ(after, "xxxxxxxxxxx\r\nUser-Agent: x\r\n");
}

TEST(CredentialMaskTest, OtherHeadersAndBinaryBytesStayAsSent) {
  std::string plain = "CONNECT a:443 HTTP/1.1\r\nX-Authorization-Hint: keep\r\n\r\n\x16\x03\x01";
  EXPECT_EQ(masked_in_pieces(plain, {}), plain);
}

TEST(CredentialMaskTest, ChecksumOfAMaskedSegmentIsRecomputed) {
  std::string packet =
      testing::build_segment({.out = true, .payload = "Proxy-Authorization: a\r\n"});
  auto parsed = capture::parse_packet(DLT_RAW, packet);
  ASSERT_TRUE(parsed.tcp);
  ASSERT_TRUE(capture::fix_tcp_checksum(packet, *parsed.tcp));
  // Summing the segment with its checksum over the pseudo-header gives 0xffff (RFC 1071).
  std::uint32_t sum = 0;
  auto word = [&](std::size_t at) {
    return (static_cast<std::uint8_t>(packet[at]) << 8) |
           (at + 1 < packet.size() ? static_cast<std::uint8_t>(packet[at + 1]) : 0);
  };
  for (std::size_t at = 12; at < 20; at += 2) sum += word(at);  // addresses
  sum += 6 + static_cast<std::uint32_t>(packet.size() - 20);
  for (std::size_t at = 20; at < packet.size(); at += 2) sum += word(at);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  EXPECT_EQ(sum, 0xffffu);
}

}  // namespace
}  // namespace proxywatch
