// The support bundle's tar.gz writer against GNU tar: what it writes lists with `tar -tzvf`
// (names, modes 0600 and 0700, sizes) and extracts with `tar -xzf` byte for byte — binary
// content, an empty file, a size on a block boundary, a name that needs the ustar prefix — and
// names that are not plain relative paths are refused.
#include "daemon/bundle_archive.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "daemon/bundle_collect.h"
#include "tests/support/read_file.h"
#include "tests/support/temp_dir.h"

namespace proxywatch {
namespace {

std::string bundle_archive_tar(const std::vector<std::string>& args) {
  auto tar = find_program("tar");
  if (!tar) return "tar not found";
  std::vector<std::string> argv{*tar};
  argv.insert(argv.end(), args.begin(), args.end());
  auto run = run_bounded(argv, std::chrono::seconds(10), 1 << 20);
  if (!run) return run.error().message;
  return run->out + (run->exit_status == 0 ? "" : "exit " + std::to_string(run->exit_status));
}

TEST(BundleArchiveTest, TarListsAndExtractsEveryMemberByteForByte) {
  testing::TempDir dir("pw-bundle-archive");
  std::string binary;
  for (int i = 0; i < 70'000; ++i) binary += static_cast<char>(i * 7 % 256);
  const std::string block(512, 'b');
  const std::string long_name = std::string(120, 'd') + "/" + std::string(90, 'f') + ".txt";
  auto path = (dir.path() / "a.tar.gz").string();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  ASSERT_GE(fd, 0);
  {
    TarGzWriter archive(fd);
    ASSERT_TRUE(archive.add_file("README.txt", "first\n", 1'700'000'000));
    ASSERT_TRUE(archive.add_directory("captures", 1'700'000'000));
    ASSERT_TRUE(archive.add_file("captures/a.pcap", binary, 1'700'000'000));
    ASSERT_TRUE(archive.add_file("empty.txt", "", 1'700'000'000));
    ASSERT_TRUE(archive.add_file("block.txt", block, 1'700'000'000));
    ASSERT_TRUE(archive.add_file(long_name, "long", 1'700'000'000));
    ASSERT_TRUE(archive.finish());
    EXPECT_FALSE(archive.add_file("late.txt", "x", 0));
  }
  ::close(fd);
  std::string listing = bundle_archive_tar({"-tvzf", path});
  EXPECT_EQ(listing.find("exit"), std::string::npos) << listing;
  EXPECT_EQ(listing.rfind("-rw------- 0/0", 0), 0u) << listing;  // README.txt first
  EXPECT_NE(listing.find("README.txt"), std::string::npos) << listing;
  EXPECT_NE(listing.find("drwx------ 0/0"), std::string::npos) << listing;
  EXPECT_NE(listing.find("70000 "), std::string::npos) << listing;
  EXPECT_NE(listing.find(long_name), std::string::npos) << listing;
  std::string extracted = bundle_archive_tar({"-xzf", path, "-C", dir.path().string()});
  EXPECT_EQ(extracted, "") << extracted;
  EXPECT_EQ(testing::read_file(dir.path() / "README.txt"), "first\n");
  EXPECT_EQ(testing::read_file(dir.path() / "captures/a.pcap"), binary);
  EXPECT_EQ(testing::read_file(dir.path() / "empty.txt"), "");
  EXPECT_EQ(testing::read_file(dir.path() / "block.txt"), block);
  EXPECT_EQ(testing::read_file(dir.path() / long_name), "long");
}

TEST(BundleArchiveTest, HeaderRefusesNamesThatAreNotPlainRelativePaths) {
  for (const std::string& name :
       std::vector<std::string>{"", "/etc/passwd", "../x", "a/../../x", std::string(300, 'n'),
                                std::string(160, 'n') + "/" + "short"}) {
    EXPECT_FALSE(ustar_header({.name = name, .size = 1})) << name;
  }
  auto header = ustar_header({.name = "ok/name.txt", .size = 8, .mtime = 0});
  ASSERT_TRUE(header);
  EXPECT_EQ(header->size(), 512u);
  EXPECT_EQ(header->substr(257, 6), std::string("ustar\0", 6));
  EXPECT_EQ(header->substr(124, 12), std::string("00000000010\0", 12));  // 8 in octal
}

}  // namespace
}  // namespace proxywatch
