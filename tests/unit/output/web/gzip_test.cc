// gzip for /metrics: which Accept-Encoding values accept it (RFC 9110 §12.5.3), and that what
// gzip_compress makes is one gzip member that zlib inflates back to the input.
#include "common/output/web/gzip.h"

#include <zlib.h>

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace proxywatch {
namespace {

// `member` inflated (windowBits 15 + 16: gzip only), or nullopt when it is not a whole, valid
// gzip member.
std::optional<std::string> gunzip_member(const std::string& member) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return std::nullopt;
  std::string out;
  char chunk[16384];
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(member.data()));
  z.avail_in = static_cast<uInt>(member.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(chunk, sizeof chunk - z.avail_out);
  }
  const bool whole = rc == Z_STREAM_END && z.avail_in == 0;
  inflateEnd(&z);
  if (!whole) return std::nullopt;
  return out;
}

TEST(AcceptsGzipTest, GzipNamedWithAWeightAboveZero) {
  EXPECT_TRUE(accepts_gzip("GZip"));
  EXPECT_TRUE(accepts_gzip("x-gzip"));
  EXPECT_TRUE(accepts_gzip("identity, gzip;q=0.5"));
  EXPECT_TRUE(accepts_gzip("deflate , gzip ; q=1.0 ,br"));  // OWS around the separators
  EXPECT_TRUE(accepts_gzip("gzip;Q=0.001"));
  // Prometheus' scrape header (scrape/scrape.go, acceptEncodingHeader).
  EXPECT_TRUE(accepts_gzip("gzip"));
  EXPECT_TRUE(accepts_gzip("br, gzip, deflate"));  // curl --compressed, browsers
}

TEST(AcceptsGzipTest, WeightZeroRefusesEvenBesideAStar) {
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip; q=0.0"));
  EXPECT_FALSE(accepts_gzip("*, gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0, *"));
}

TEST(AcceptsGzipTest, StarStandsForGzipOnlyWhenGzipIsNotNamed) {
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_TRUE(accepts_gzip("identity;q=1, *;q=0.1"));
  EXPECT_FALSE(accepts_gzip("*;q=0"));
}

TEST(AcceptsGzipTest, NoHeaderOtherCodingsAndMalformedWeightsMeanIdentity) {
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_FALSE(accepts_gzip("identity"));
  EXPECT_FALSE(accepts_gzip("deflate, br"));
  EXPECT_FALSE(accepts_gzip("gzipped"));
  EXPECT_FALSE(accepts_gzip("gzip;q=2"));
  EXPECT_FALSE(accepts_gzip("gzip;q=high"));
  EXPECT_FALSE(accepts_gzip("gzip;q=-1"));
}

TEST(GzipCompressTest, InflatesBackToTheInputAndShrinksAnExposition) {
  std::string exposition;
  for (int i = 0; i < 20'000; ++i) {
    exposition +=
        "proxywatch_probe_phase_duration_seconds{phase=\"tls_handshake\",proxy=\"10.0.0.1:"
        "3128\",target=\"target-" +
        std::to_string(i) + "\"} 0.0" + std::to_string(i % 97) + "\n";
  }
  const std::string member = gzip_compress(exposition);
  ASSERT_GE(member.size(), 18u);
  EXPECT_EQ(static_cast<unsigned char>(member[0]), 0x1f);  // RFC 1952 §2.3.1: ID1, ID2
  EXPECT_EQ(static_cast<unsigned char>(member[1]), 0x8b);
  EXPECT_EQ(gunzip_member(member), exposition);
  EXPECT_LT(member.size() * 8, exposition.size()) << member.size() << " of " << exposition.size();
}

TEST(GzipCompressTest, EmptyAndBinaryInputsRoundTrip) {
  EXPECT_EQ(gunzip_member(gzip_compress("")), "");
  std::string bytes;
  for (int i = 0; i < 70'000; ++i) bytes += static_cast<char>((i * 7919) % 251);
  EXPECT_EQ(gunzip_member(gzip_compress(bytes)), bytes);
}

}  // namespace
}  // namespace proxywatch
