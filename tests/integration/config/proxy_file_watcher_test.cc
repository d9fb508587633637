// ProxyFileWatcher against a real directory and the real kernel: every way FMC, an editor or a
// deployment can change the proxy file calls back, a burst calls back once or twice, and other
// files in the directory are ignored. Each test runs the watcher on its own io_context and
// runs it in slices until a condition holds or a deadline passes.
#include "config/proxy_file_watcher.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "tests/support/temp_dir.h"

namespace proxywatch::config {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using std::chrono::milliseconds;
using testing::TempDir;

constexpr milliseconds kDebounce{50};
constexpr milliseconds kDeadline{5'000};
// Longer than the debounce plus scheduling noise: a callback that has not come by then for an
// event the watcher should ignore is not coming.
constexpr milliseconds kQuietPeriod{400};

constexpr std::string_view kConf = "iprep_proxy { PROXY_HOST 10.10.10.1; PROXY_PORT 80; }\n";

void write_file(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  ASSERT_TRUE(out.flush()) << path;
}

void rename_over(const fs::path& from, const fs::path& to) {
  ASSERT_EQ(::rename(from.c_str(), to.c_str()), 0) << from << " -> " << to;
}

// The watcher under test, with its io_context and a count of callbacks.
class WatcherRig {
 public:
  explicit WatcherRig(fs::path path)
      : watcher_(
            io_.get_executor(), [this] { ++calls_; }, path.string(), kDebounce) {}

  ProxyFileWatcher& watcher() { return watcher_; }
  int calls() const { return calls_; }

  // Starts the watcher; the test fails if it cannot.
  void start() {
    auto started = watcher_.start();
    ASSERT_TRUE(started) << started.error();
  }

  // Runs the io_context until at least `n` callbacks in all, or the deadline.
  bool wait_for_calls(int n, milliseconds deadline = kDeadline) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (calls_ < n && std::chrono::steady_clock::now() < end) run_for(milliseconds(10));
    return calls_ >= n;
  }

  // Runs the io_context for `period` (to show that nothing happens).
  void run_for(milliseconds period) {
    // A stopped watcher leaves the io_context without work, which marks it stopped.
    if (io_.stopped()) io_.restart();
    io_.run_for(period);
  }

 private:
  asio::io_context io_;
  int calls_ = 0;
  ProxyFileWatcher watcher_;
};

// A started watcher on TMP/iprep_proxy.conf, which exists.
struct WatchedFile {
  TempDir dir{"proxywatch-watch"};
  fs::path file = dir.write_file("iprep_proxy.conf", kConf);
  WatcherRig rig{file};
};

TEST(ProxyFileWatcherTest, InPlaceRewriteCallsBack) {
  WatchedFile w;
  w.rig.start();
  write_file(w.file, "iprep_proxy { PROXY_HOST 10.10.10.2; PROXY_PORT 80; }\n");
  EXPECT_TRUE(w.rig.wait_for_calls(1));
}

TEST(ProxyFileWatcherTest, AtomicRenameOverCallsBack) {
  WatchedFile w;
  w.rig.start();
  write_file(w.dir.path() / ".iprep_proxy.conf.tmp", kConf);
  rename_over(w.dir.path() / ".iprep_proxy.conf.tmp", w.file);
  EXPECT_TRUE(w.rig.wait_for_calls(1));
}

TEST(ProxyFileWatcherTest, DeleteAndRecreateEachCallBack) {
  WatchedFile w;
  w.rig.start();
  ASSERT_TRUE(fs::remove(w.file));
  ASSERT_TRUE(w.rig.wait_for_calls(1));
  write_file(w.file, kConf);
  EXPECT_TRUE(w.rig.wait_for_calls(2));
}

TEST(ProxyFileWatcherTest, FileCreatedAfterStartCallsBack) {
  TempDir dir("proxywatch-watch");
  WatcherRig rig(dir.path() / "iprep_proxy.conf");
  rig.start();
  dir.write_file("iprep_proxy.conf", kConf);
  EXPECT_TRUE(rig.wait_for_calls(1));
}

TEST(ProxyFileWatcherTest, ChmodCallsBack) {
  WatchedFile w;
  w.rig.start();
  ASSERT_EQ(::chmod(w.file.c_str(), 0600), 0);
  EXPECT_TRUE(w.rig.wait_for_calls(1));
}

TEST(ProxyFileWatcherTest, OtherFilesInTheDirectoryAreIgnored) {
  WatchedFile w;
  w.rig.start();
  w.dir.write_file("other.conf", kConf);
  rename_over(w.dir.path() / "other.conf", w.dir.path() / "moved.conf");
  ASSERT_TRUE(fs::remove(w.dir.path() / "moved.conf"));
  w.rig.run_for(kQuietPeriod);
  EXPECT_EQ(w.rig.calls(), 0);
}

TEST(ProxyFileWatcherTest, BurstOfWritesIsDebounced) {
  WatchedFile w;
  w.rig.start();
  for (int i = 0; i < 50; ++i) write_file(w.file, "# write " + std::to_string(i) + "\n");
  // The last write happened before the io_context ran at all, so every callback seen from
  // here on comes after it.
  ASSERT_TRUE(w.rig.wait_for_calls(1));
  w.rig.run_for(kQuietPeriod);
  EXPECT_LE(w.rig.calls(), 3);
}

TEST(ProxyFileWatcherTest, CallsBackAfterTheLastWriteOfABurst) {
  WatchedFile w;
  w.rig.start();
  for (int i = 0; i < 50; ++i) {
    write_file(w.file, "# write " + std::to_string(i) + "\n");
    w.rig.run_for(milliseconds(1));  // let events interleave with the debounce
  }
  const int before_last = w.rig.calls();
  write_file(w.file, kConf);
  EXPECT_TRUE(w.rig.wait_for_calls(before_last + 1));
  EXPECT_LE(w.rig.calls(), 3);
}

// TMP/iprep_proxy.conf -> TMP/targets/NAME, the way a deployment might install it.
struct WatchedSymlink {
  TempDir dir{"proxywatch-watch"};
  TempDir targets{"proxywatch-target"};
  fs::path link = dir.path() / "iprep_proxy.conf";
  WatcherRig rig{link};

  fs::path make_target(std::string_view name) { return targets.write_file(name, kConf); }
};

TEST(ProxyFileWatcherTest, SymlinkSwapCallsBack) {
  WatchedSymlink w;
  fs::create_symlink(w.make_target("a.conf"), w.link);
  w.rig.start();
  fs::create_symlink(w.make_target("b.conf"), w.dir.path() / ".swap");
  rename_over(w.dir.path() / ".swap", w.link);
  EXPECT_TRUE(w.rig.wait_for_calls(1));
}

TEST(ProxyFileWatcherTest, WriteToSymlinkTargetInAnotherDirectoryCallsBack) {
  WatchedSymlink w;
  fs::path target = w.make_target("a.conf");
  fs::create_symlink(target, w.link);
  w.rig.start();
  write_file(target, "iprep_proxy { PROXY_HOST 10.10.10.2; PROXY_PORT 80; }\n");
  EXPECT_TRUE(w.rig.wait_for_calls(1));
}

TEST(ProxyFileWatcherTest, FollowsTheNewTargetAfterASymlinkSwap) {
  WatchedSymlink w;
  fs::path old_target = w.make_target("a.conf");
  fs::create_symlink(old_target, w.link);
  w.rig.start();
  TempDir other("proxywatch-target2");
  fs::path new_target = other.write_file("b.conf", kConf);
  fs::create_symlink(new_target, w.dir.path() / ".swap");
  rename_over(w.dir.path() / ".swap", w.link);
  ASSERT_TRUE(w.rig.wait_for_calls(1));
  write_file(new_target, "# changed\n");
  ASSERT_TRUE(w.rig.wait_for_calls(2));
  // The old target is no longer the proxy file: its changes do not matter.
  write_file(old_target, "# changed\n");
  w.rig.run_for(kQuietPeriod);
  EXPECT_EQ(w.rig.calls(), 2);
}

TEST(ProxyFileWatcherTest, RelativeSymlinkTargetIsFollowed) {
  TempDir dir("proxywatch-watch");
  fs::create_directory(dir.path() / "real");
  fs::path target = dir.write_file("real/iprep_proxy.conf", kConf);
  fs::create_symlink("real/iprep_proxy.conf", dir.path() / "iprep_proxy.conf");
  WatcherRig rig(dir.path() / "iprep_proxy.conf");
  rig.start();
  write_file(target, "# changed\n");
  EXPECT_TRUE(rig.wait_for_calls(1));
}

TEST(ProxyFileWatcherTest, MissingDirectoryIsAnErrorNamingIt) {
  TempDir dir("proxywatch-watch");
  const fs::path missing = dir.path() / "no-such-dir";
  WatcherRig rig(missing / "iprep_proxy.conf");
  auto started = rig.watcher().start();
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().to_string().find(missing.string()), std::string::npos)
      << started.error();
  EXPECT_NE(started.error().to_string().find("No such file or directory"), std::string::npos);
}

TEST(ProxyFileWatcherTest, StopEndsCallbacksAndStartResumesThem) {
  WatchedFile w;
  w.rig.start();
  w.rig.watcher().stop();
  write_file(w.file, "# changed while stopped\n");
  w.rig.run_for(kQuietPeriod);
  EXPECT_EQ(w.rig.calls(), 0);
  w.rig.start();
  write_file(w.file, kConf);
  EXPECT_TRUE(w.rig.wait_for_calls(1));
}

TEST(ProxyFileWatcherTest, StartTwiceIsAnError) {
  WatchedFile w;
  w.rig.start();
  EXPECT_FALSE(w.rig.watcher().start());
}

TEST(ProxyFileWatcherTest, DestroyedWithACallbackPendingIsSafe) {
  TempDir dir("proxywatch-watch");
  fs::path file = dir.write_file("iprep_proxy.conf", kConf);
  asio::io_context io;
  int calls = 0;
  {
    ProxyFileWatcher watcher(
        io.get_executor(), [&] { ++calls; }, file.string(), kDebounce);
    ASSERT_TRUE(watcher.start());
    write_file(file, "# changed\n");
    io.run_for(milliseconds(10));  // the event is read, the debounce is waiting
  }
  io.run_for(kQuietPeriod);
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace proxywatch::config
