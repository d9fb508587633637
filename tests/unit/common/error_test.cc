// The one error vocabulary: how an Error reads with and without a position, in context, in
// fmt and on a stream; and the one bounded reader of regular files that every stage uses.
#include "common/error.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/regular_file.h"
#include "tests/support/temp_dir.h"

namespace proxywatch {
namespace {

TEST(ErrorTest, ReadsWithTheFilePositionWhenThereIsOne) {
  EXPECT_EQ(error_text("missing port").to_string(), "missing port");
  EXPECT_EQ(file_error("/etc/sf/iprep_proxy.conf", 3, 14, "PROXY_PORT", "not a port").to_string(),
            "/etc/sf/iprep_proxy.conf:3:14: not a port");
  Error whole = file_error("/etc/proxywatch/proxywatch.yaml", 0, 0, "", "file does not exist",
                           Error::Kind::kNotFound);
  EXPECT_EQ(whole.to_string(), "/etc/proxywatch/proxywatch.yaml: file does not exist");
  EXPECT_EQ(whole.kind, Error::Kind::kNotFound);
  EXPECT_EQ(whole.where->key_path, "");
}

TEST(ErrorTest, ContextGoesBeforeTheMessageAndKeepsThePosition) {
  Error e = in_context("--proxy: ", error_text("missing port"));
  EXPECT_EQ(e.to_string(), "--proxy: missing port");
  Error located = in_context("web_config_file: ", file_error("web.yml", 2, 1, "users", "bad"));
  EXPECT_EQ(located.to_string(), "web.yml:2:1: web_config_file: bad");
  EXPECT_EQ(located.where->key_path, "users");
}

TEST(ErrorTest, FormatsInFmtAndOnStreamsAsToString) {
  Error e = file_error("f", 1, 2, "k", "wrong");
  EXPECT_EQ(fmt::format("cannot start: {}", e), "cannot start: f:1:2: wrong");
  std::ostringstream out;
  out << e;
  EXPECT_EQ(out.str(), "f:1:2: wrong");
}

TEST(ErrorTest, ValueOfAnErrorIsABugThatThrows) {
  Result<int> r = error_text("no");
  EXPECT_THROW(r.value(), std::logic_error);
}

class RegularFileTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir_.path() / name) << text;
    return (dir_.path() / name).string();
  }
  testing::TempDir dir_{"pw-regular-file"};
};

TEST_F(RegularFileTest, ReadsARegularFileWhole) {
  auto read = read_regular_file(write("a", "hello\n"), {.max_bytes = 100});
  ASSERT_TRUE(read) << read.error();
  EXPECT_EQ(*read, "hello\n");
}

TEST_F(RegularFileTest, AbsentIsNotFoundAndNamesTheFile) {
  std::string path = (dir_.path() / "absent").string();
  auto read = read_regular_file(path, {.max_bytes = 100});
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().kind, Error::Kind::kNotFound);
  EXPECT_EQ(read.error().code, std::errc::no_such_file_or_directory);
  EXPECT_EQ(read.error().where->file, path);
}

TEST_F(RegularFileTest, RefusesLargerThanTheLimitLinksWhenAskedAndWhatAdmissionRefuses) {
  std::string big = write("big", std::string(101, 'x'));
  EXPECT_EQ(read_regular_file(big, {.max_bytes = 100}).error().code, std::errc::file_too_large);
  std::string link = (dir_.path() / "link").string();
  ASSERT_EQ(::symlink(big.c_str(), link.c_str()), 0);
  EXPECT_TRUE(read_regular_file(link, {.max_bytes = 1000}));
  EXPECT_EQ(read_regular_file(link, {.max_bytes = 1000, .follow_symlinks = false}).error().code,
            std::errc::too_many_symbolic_link_levels);
  int calls = 0;
  auto refuse = [&](const struct stat&) {
    ++calls;
    return std::make_error_code(std::errc::permission_denied);
  };
  auto read = read_regular_file(big, {.max_bytes = 1000}, refuse);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(read.error().code, std::errc::permission_denied);
  EXPECT_EQ(read.error().kind, Error::Kind::kUnreadable);
}

TEST_F(RegularFileTest, ADirectoryOrAFifoIsRefusedUnread) {
  EXPECT_EQ(read_regular_file(dir_.path().string(), {.max_bytes = 100}).error().code,
            std::errc::is_a_directory);
  std::string fifo = (dir_.path() / "fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Would block forever if the open waited for a writer.
  EXPECT_EQ(read_regular_file(fifo, {.max_bytes = 100}).error().code, std::errc::invalid_argument);
}

TEST(WipeTest, OverwritesAndEmpties) {
  std::string secret = "S3cr3t!pw";
  const char* data = secret.data();
  std::size_t size = secret.size();
  wipe(secret);
  EXPECT_TRUE(secret.empty());
  EXPECT_EQ(std::string(data, size), std::string(size, '\0'));
}

}  // namespace
}  // namespace proxywatch
