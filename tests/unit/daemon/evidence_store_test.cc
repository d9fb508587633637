// The evidence store with hand-built packets: the bounds (max_files, max_bytes, max_age), the
// files' mode and names, which probes are worth a file, and what it remembers per pair.
#include "daemon/evidence_store.h"

#include <sys/stat.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// 2026-12-05 06:48:12.123 UTC.
const WallTime kEvidenceNow = WallTime{} + std::chrono::milliseconds(1'796'453'292'123);
const PairKey kEvidencePair{"10.0.0.1:3128", "tools"};

// A probe of `count` packets of 100 bytes each (not real frames: the store only writes them).
ProbePackets evidence_packets(std::size_t count) {
  ProbePackets p;
  p.link_type = 276;  // DLT_LINUX_SLL2, what a live capture on "any" gives
  p.snap_length = kSnapLength;
  for (std::size_t i = 0; i < count; ++i) {
    p.packets.push_back(CapturedPacket{.time = kEvidenceNow + std::chrono::milliseconds(i),
                                       .wire_length = 100,
                                       .bytes = std::string(100, static_cast<char>('a' + i))});
  }
  return p;
}

std::vector<fs::path> evidence_listing(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) files.push_back(entry.path());
  return files;
}

TEST(EvidenceStoreTest, TwentyFailuresWithMaxFilesFiveLeaveTheNewestFiveOwnerOnly) {
  testing::TempDir temp{"pw-evidence"};
  EvidenceStore store((temp.path() / "captures").string(), EvidenceLimits{.max_files = 5});
  std::string newest;
  for (int i = 0; i < 20; ++i) {
    store.keep(kEvidencePair, evidence_packets(3));
    auto written =
        store.write(kEvidencePair, "proxy_denied", kEvidenceNow + std::chrono::seconds(i));
    ASSERT_TRUE(written) << written.error();
    newest = written->name;
  }
  auto files = evidence_listing(store.dir());
  ASSERT_EQ(files.size(), 5u);
  EXPECT_EQ(store.files(), 5u);
  for (const fs::path& f : files) {
    struct stat st {};
    ASSERT_EQ(::stat(f.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << f;
    EXPECT_TRUE(is_capture_file_name(f.filename().string())) << f;
  }
  EXPECT_TRUE(fs::exists(fs::path(store.dir()) / newest));
  EXPECT_EQ(newest, "20261205T064831.123Z-tools-proxy_denied.pcap");
  struct stat dir_st {};
  ASSERT_EQ(::stat(store.dir().c_str(), &dir_st), 0);
  EXPECT_EQ(dir_st.st_mode & 0777, 0700u);
  const CaptureFileInfo* latest = store.latest(kEvidencePair);
  ASSERT_NE(latest, nullptr);
  EXPECT_EQ(latest->name, newest);
  EXPECT_EQ(latest->outcome, "proxy_denied");
  EXPECT_FALSE(latest->timeline.empty());
  EXPECT_EQ(store.ring_bytes(), 300u);
}

TEST(EvidenceStoreTest, MaxBytesAndMaxAgePruneTheOldestAndForgetTheirPairs) {
  testing::TempDir temp{"pw-evidence"};
  const std::string dir = (temp.path() / "captures").string();
  {
    EvidenceStore store(dir, EvidenceLimits{.max_files = 100, .max_bytes = 2'000});
    for (int i = 0; i < 4; ++i) {
      ASSERT_TRUE(store.write(kEvidencePair, evidence_packets(8), "proxy_stalled",
                              kEvidenceNow + std::chrono::seconds(i)));
    }
    // Each file holds 800 bytes of packets plus the pcap headers: two fit under 2,000 bytes.
    EXPECT_EQ(evidence_listing(dir).size(), 2u);
  }
  EvidenceStore store(dir, EvidenceLimits{.max_age = 24h});
  EXPECT_EQ(store.prune(kEvidenceNow), 2u) << "files written now are within a day";
  ASSERT_TRUE(store.write({"p", "other"}, evidence_packets(1), "tcp_refused", kEvidenceNow));
  EXPECT_NE(store.latest({"p", "other"}), nullptr);
  // The files' modification times are the real clock's now: two days on, all are too old.
  EXPECT_EQ(store.prune(WallTime(std::chrono::system_clock::now()) + 48h), 0u);
  EXPECT_TRUE(evidence_listing(dir).empty());
  EXPECT_EQ(store.latest({"p", "other"}), nullptr);
}

TEST(EvidenceStoreTest, NamesAreSafeAndOnlySafeNamesAreAccepted) {
  std::string name = capture_file_name(kEvidenceNow, "../a b/c:443", "proxy_denied");
  EXPECT_EQ(name, "20261205T064812.123Z-.._a_b_c_443-proxy_denied.pcap");
  EXPECT_TRUE(is_capture_file_name(name));
  for (std::string_view bad :
       {"", "../x.pcap", ".x.pcap", "a/b.pcap", "x.txt", "a%2fb.pcap", "x.pcap\n"}) {
    EXPECT_FALSE(is_capture_file_name(bad)) << bad;
  }
  EXPECT_FALSE(is_capture_file_name(std::string(300, 'a') + ".pcap"));
}

TEST(EvidenceStoreTest, APassingProbeIsKeptOnlyWhenItChangedTheHealth) {
  TrackerChanges none;
  EXPECT_TRUE(capture_wanted(true, none));
  EXPECT_FALSE(capture_wanted(false, none));
  TrackerChanges first;
  first.health_from = HealthState::kUnknown;
  first.health = HealthState::kHealthy;
  EXPECT_FALSE(capture_wanted(false, first)) << "every start would write one";
  TrackerChanges recovered = first;
  recovered.health_from = HealthState::kFailing;
  EXPECT_TRUE(capture_wanted(false, recovered));

  testing::TempDir temp{"pw-evidence"};
  EvidenceStore store((temp.path() / "captures").string(), EvidenceLimits{});
  auto nothing = store.write(kEvidencePair, "ok", kEvidenceNow);
  ASSERT_FALSE(nothing);
  EXPECT_NE(nothing.error().message.find("no packets"), std::string::npos);
  store.keep(kEvidencePair, evidence_packets(2));
  EXPECT_TRUE(evidence_listing(store.dir()).empty()) << "keeping writes nothing";
  store.retain({});
  EXPECT_EQ(store.ring_bytes(), 0u);
}

}  // namespace
}  // namespace proxywatch
