// Tests for daemon/state_lock.h: one daemon per state directory.
#include "daemon/state_lock.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "tests/support/read_file.h"
#include "tests/support/temp_dir.h"

namespace proxywatch {
namespace {

TEST(StateDirLockTest, SecondHolderIsRefusedNamingTheFirstsPid) {
  testing::TempDir dir("pw-lock");
  auto first = StateDirLock::acquire(dir.path().string());
  ASSERT_TRUE(first) << first.error();
  EXPECT_TRUE(first->held());
  EXPECT_EQ(testing::read_file((dir.path() / kStateLockName).string()),
            std::to_string(::getpid()) + "\n");
  // flock belongs to the open file: a second open in the same process conflicts like a
  // second daemon would.
  auto second = StateDirLock::acquire(dir.path().string());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, Error::Kind::kInvalid);
  EXPECT_NE(
      second.error().message.find("another proxywatch daemon (PID " + std::to_string(::getpid()) +
                                  ") uses the state directory " + dir.path().string()),
      std::string::npos)
      << second.error();
}

TEST(StateDirLockTest, ReleasedLockCanBeTakenAgain) {
  testing::TempDir dir("pw-lock");
  {
    auto first = StateDirLock::acquire(dir.path().string());
    ASSERT_TRUE(first);
    StateDirLock moved = std::move(*first);
    EXPECT_TRUE(moved.held());
    EXPECT_FALSE(first->held());
  }
  EXPECT_TRUE(StateDirLock::acquire(dir.path().string()));
}

TEST(StateDirLockTest, MissingDirectoryOrPlantedSymlinkIsNotTakenForAnotherDaemon) {
  testing::TempDir dir("pw-lock");
  auto missing = StateDirLock::acquire((dir.path() / "absent").string());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, Error::Kind::kNotFound);
  std::filesystem::create_symlink(dir.path() / "elsewhere", dir.path() / kStateLockName);
  auto planted = StateDirLock::acquire(dir.path().string());
  ASSERT_FALSE(planted);
  EXPECT_EQ(planted.error().kind, Error::Kind::kUnreadable) << planted.error();
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "elsewhere"));
}

}  // namespace
}  // namespace proxywatch
