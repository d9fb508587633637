// Capture files: what is written reads back the same, the file is 0600, and an existing file
// or a symlink is never written through.
#include "common/capture/pcap_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "tests/unit/capture/packet_builder.h"

namespace proxywatch {
namespace {

class PcapFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pw-pcap-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(PcapFileTest, WrittenPacketsReadBackWithTimesAndLengths) {
  ProbePackets packets = testing::raw_packets();
  testing::handshake(packets);
  packets.packets[1].wire_length = 9000;  // longer on the wire than captured
  std::string path = (dir_ / "a.pcap").string();
  ASSERT_TRUE(write_pcap_file(path, packets));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto read = read_pcap_file(path);
  ASSERT_TRUE(read) << read.error();
  EXPECT_EQ(read->link_type, packets.link_type);
  ASSERT_EQ(read->packets.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(read->packets[i].bytes, packets.packets[i].bytes);
    EXPECT_EQ(read->packets[i].time, packets.packets[i].time);
  }
  EXPECT_EQ(read->packets[1].wire_length, 9000u);
}

TEST_F(PcapFileTest, NeverOverwritesNorFollowsASymlink) {
  ProbePackets packets = testing::raw_packets();
  std::string path = (dir_ / "b.pcap").string();
  ASSERT_TRUE(write_pcap_file(path, packets));
  auto again = write_pcap_file(path, packets);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().to_string().find("cannot create"), std::string::npos);
  std::filesystem::create_symlink(dir_ / "target", dir_ / "link.pcap");
  EXPECT_FALSE(write_pcap_file((dir_ / "link.pcap").string(), packets));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "target"));
  EXPECT_FALSE(read_pcap_file((dir_ / "missing.pcap").string()));
}

}  // namespace
}  // namespace proxywatch
