// Reading configuration and secret files: a regular file whole; absent, a directory, a FIFO, a
// device or more than 1 MiB each a distinct error that file_error turns into the operator's
// message; a secret file's mode taken from the descriptor that is read (through symlinks) and a
// file others may read refused unread; and wipe() leaving no copy of the text.
#include "config/text_file.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/support/temp_dir.h"

namespace proxywatch::config {
namespace {

namespace errc = boost::system::errc;
namespace fs = std::filesystem;
using namespace std::string_literals;

class TextFileTest : public ::testing::Test {
 protected:
  // Writes `text` to `name` with `mode` and returns its path.
  std::string write(const std::string& name, const std::string& text, unsigned mode = 0644) {
    fs::path path = dir_.write_file(name, text);
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path.string();
  }
  std::string path(const std::string& name) const { return (dir_.path() / name).string(); }

  testing::TempDir dir_{"pw-text-file"};
};

TEST_F(TextFileTest, RegularFileIsReadWhole) {
  const std::string text = "iprep_proxy {\n  PROXY_HOST 10.10.10.1;\n}\n\0after a NUL"s;
  auto read = read_text_file(write("iprep_proxy.conf", text));
  ASSERT_TRUE(read) << read.error();
  EXPECT_EQ(*read, text);
}

TEST_F(TextFileTest, EmptyFileIsEmptyText) {
  auto read = read_text_file(write("empty.conf", ""));
  ASSERT_TRUE(read) << read.error();
  EXPECT_EQ(*read, "");
}

TEST_F(TextFileTest, SymlinkIsFollowed) {
  write("real.conf", "through the link\n");
  fs::create_symlink(path("real.conf"), path("link.conf"));
  auto read = read_text_file(path("link.conf"));
  ASSERT_TRUE(read) << read.error();
  EXPECT_EQ(*read, "through the link\n");
}

TEST_F(TextFileTest, AbsentFileIsNoSuchFileAndNotFound) {
  auto read = read_text_file(path("absent.conf"));
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, std::errc::no_such_file_or_directory);
  EXPECT_TRUE(is_file_absent(read.error()));
  Error error = unreadable_config(read.error());
  EXPECT_EQ(error.kind, Error::Kind::kNotFound);
  EXPECT_EQ(error.to_string(), path("absent.conf") + ": file does not exist");
}

TEST_F(TextFileTest, DanglingSymlinkIsAbsent) {
  fs::create_symlink(path("gone.conf"), path("dangling.conf"));
  auto read = read_text_file(path("dangling.conf"));
  ASSERT_FALSE(read);
  EXPECT_TRUE(is_file_absent(read.error()));
}

TEST_F(TextFileTest, DirectoryIsUnreadable) {
  fs::create_directory(path("conf.d"));
  auto read = read_text_file(path("conf.d"));
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, std::errc::is_a_directory);
  EXPECT_FALSE(is_file_absent(read.error()));
  Error error = unreadable_config(read.error());
  EXPECT_EQ(error.kind, Error::Kind::kUnreadable);
  EXPECT_EQ(error.message, "cannot read: " + read.error().code.message());
}

TEST_F(TextFileTest, FifoIsRefusedWithoutWaitingForAWriter) {
  ASSERT_EQ(::mkfifo(path("fifo").c_str(), 0644), 0);
  auto read = read_text_file(path("fifo"));  // would block forever if it opened for reading
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, std::errc::invalid_argument);
  Error error = unreadable_config(read.error());
  EXPECT_EQ(error.kind, Error::Kind::kUnreadable);
  EXPECT_EQ(error.message, "not a regular file");
}

TEST_F(TextFileTest, DeviceIsRefused) {
  auto read = read_text_file("/dev/zero");  // endless: only the type check stops it
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, std::errc::invalid_argument);
}

TEST_F(TextFileTest, PathThroughAFileIsUnreadableNotAbsent) {
  write("plain", "x");
  auto read = read_text_file(path("plain") + "/child.conf");
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, std::errc::not_a_directory);
  EXPECT_EQ(unreadable_config(read.error()).kind, Error::Kind::kUnreadable);
}

TEST_F(TextFileTest, OneMebibyteIsReadOneByteMoreIsTooLarge) {
  auto at_limit = read_text_file(write("limit.yaml", std::string(kMaxConfigFileBytes, 'a')));
  ASSERT_TRUE(at_limit) << at_limit.error();
  EXPECT_EQ(at_limit->size(), kMaxConfigFileBytes);

  auto over = read_text_file(write("over.yaml", std::string(kMaxConfigFileBytes + 1, 'a')));
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, std::errc::file_too_large);
  Error error = unreadable_config(over.error());
  EXPECT_EQ(error.kind, Error::Kind::kUnreadable);
  EXPECT_EQ(error.message, "file is larger than 1024 KiB; this is not a configuration file");
}

TEST_F(TextFileTest, PrivateSecretIsReadWithItsMode) {
  unsigned mode = 0;
  auto read = read_secret_file(write("credentials", "fmc-user\nthe password\n", 0600), true, mode);
  ASSERT_TRUE(read) << read.error();
  EXPECT_EQ(*read, "fmc-user\nthe password\n");
  EXPECT_EQ(mode, 0600u);
}

TEST_F(TextFileTest, SecretOthersMayReadIsRefusedWhenPrivateOnly) {
  for (unsigned open_mode : {0640u, 0604u, 0644u, 0660u, 0602u}) {
    unsigned mode = 0;
    auto read = read_secret_file(write("credentials", "u\np\n", open_mode), true, mode);
    ASSERT_FALSE(read) << std::oct << open_mode;
    EXPECT_EQ(read.error().code, std::errc::permission_denied) << std::oct << open_mode;
    EXPECT_EQ(mode, open_mode) << "the mode is reported for the message";
  }
}

TEST_F(TextFileTest, SecretOthersMayReadIsReadWhenNotPrivateOnly) {
  unsigned mode = 0;
  auto read = read_secret_file(write("credentials", "u\np\n", 0644), false, mode);
  ASSERT_TRUE(read) << read.error();
  EXPECT_EQ(*read, "u\np\n");
  EXPECT_EQ(mode, 0644u);
}

TEST_F(TextFileTest, SecretModeIsTheTargetsNotTheSymlinks) {
  write("credentials", "u\np\n", 0600);
  fs::create_symlink(path("credentials"), path("link"));  // a symlink's own mode is 0777
  unsigned mode = 0;
  auto read = read_secret_file(path("link"), true, mode);
  ASSERT_TRUE(read) << read.error();
  EXPECT_EQ(mode, 0600u);

  write("open", "u\np\n", 0644);
  fs::create_symlink(path("open"), path("link-to-open"));
  EXPECT_FALSE(read_secret_file(path("link-to-open"), true, mode));
  EXPECT_EQ(mode, 0644u);
}

TEST_F(TextFileTest, SecretFileErrorsAreThoseOfTextFiles) {
  unsigned mode = 0;
  auto absent = read_secret_file(path("absent"), true, mode);
  ASSERT_FALSE(absent);
  EXPECT_TRUE(is_file_absent(absent.error()));

  fs::create_directory(path("dir"));
  ASSERT_EQ(::chmod(path("dir").c_str(), 0700), 0);
  auto directory = read_secret_file(path("dir"), true, mode);
  ASSERT_FALSE(directory);
  EXPECT_EQ(directory.error().code, std::errc::is_a_directory);

  ASSERT_EQ(::mkfifo(path("fifo").c_str(), 0600), 0);
  auto fifo = read_secret_file(path("fifo"), true, mode);
  ASSERT_FALSE(fifo);
  EXPECT_EQ(fifo.error().code, std::errc::invalid_argument);

  auto big =
      read_secret_file(write("big", std::string(kMaxConfigFileBytes + 1, 'p'), 0600), true, mode);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, std::errc::file_too_large);
}

TEST_F(TextFileTest, SecretAtTheSizeLimitIsRead) {
  unsigned mode = 0;
  auto read =
      read_secret_file(write("big", std::string(kMaxConfigFileBytes, 'p'), 0600), true, mode);
  ASSERT_TRUE(read) << read.error();
  EXPECT_EQ(read->size(), kMaxConfigFileBytes);
}

TEST(WipeTest, OverwritesTheBytesAndEmptiesTheText) {
  std::string secret = "a password long enough to live on the heap";
  const std::size_t size = secret.size();
  const char* bytes = secret.data();
  wipe(secret);
  EXPECT_TRUE(secret.empty());
  // clear() keeps the buffer: what was in it must be gone.
  ASSERT_EQ(secret.data(), bytes);
  EXPECT_EQ(std::string(bytes, size), std::string(size, '\0'));
}

}  // namespace
}  // namespace proxywatch::config
