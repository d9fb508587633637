// The history as the daemon keeps it (docs/history.md), with `proxywatch daemon` as a process
// against a scripted fake proxy: every probe, health change and diagnosis is in history.db
// and a restart resumes from it; a kill -9 loses at most the last second; a database that is
// not usable is set aside; the older state.json is imported once; and a full disk (a small
// tmpfs in a mount namespace of the daemon's own) is logged once while probing goes on, with
// what was not written written once space returns.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "common/history/tracker.h"
#include "common/output/store/probe_store.h"
#include "common/output/store/state_file.h"
#include "tests/integration/tracker_daemon_fixture.h"
#include "tests/support/results.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using Behavior = testing::FakeProxy::Behavior;
using testing::metric;

class HistoryDaemonTest : public testing::TrackerDaemonFixture {
 protected:
  std::unique_ptr<ProbeStore> reader(const fs::path& path) {
    auto store = ProbeStore::open_read_only(path.string());
    EXPECT_TRUE(store) << store.error().to_string();
    return store ? std::move(*store) : nullptr;
  }
  fs::path db() const { return dir_.path() / kProbeStoreFileName; }
  // Probes in the database at `path` (0 when it cannot be read yet).
  double stored(const fs::path& path) {
    auto store = ProbeStore::open_read_only(path.string());
    if (!store) {
      last_error_ = store.error().to_string();
      return 0;
    }
    auto probes = (*store)->probes(HistoryQuery{});
    if (!probes) last_error_ = probes.error().to_string();
    return probes ? static_cast<double>(probes->size()) : 0;
  }
  // The same for a database inside the daemon's mount namespace (`inside` is its directory
  // through /proc/PID/root): SQLite resolves that link to a path in the test's own namespace,
  // so the file and its WAL are read through a copy.
  double stored_inside(const fs::path& inside) {
    fs::path copy = dir_.path() / "copy";
    fs::remove_all(copy);
    fs::create_directories(copy);
    std::error_code ec;
    fs::copy_file(inside / kProbeStoreFileName, copy / kProbeStoreFileName, ec);
    if (ec) return 0;
    fs::copy_file(inside / "history.db-wal", copy / "history.db-wal", ec);
    return stored(copy / kProbeStoreFileName);
  }
  std::string last_error_;  // why stored() last found nothing
  double probed_ok() {
    return metric(scrape(), "proxywatch_probes_total", {"outcome=\"ok\""}).value_or(0);
  }
  bool logged(std::string_view text) {
    return testing::wait_until([&] { return daemon_->log().find(text) != std::string::npos; }, 10s);
  }
};

TEST_F(HistoryDaemonTest, EveryProbeAndIntervalIsStoredAndARestartResumesFromIt) {
  start_proxy_with(testing::FakeProxy::Options{.behavior = Behavior::kStatus,
                                               .status_line = "HTTP/1.1 403 Forbidden"});
  write_yaml();
  start_daemon("first.log");
  expect_exactly("acl_block");
  ASSERT_TRUE(testing::wait_until(
      [&] {
        return metric(scrape(), "proxywatch_window_probes", {"target=\"origin\""}).value_or(0) >= 8;
      },
      15s))
      << scrape();
  daemon_->terminate();
  {
    auto store = reader(db());
    ASSERT_TRUE(store);
    auto probes = store->probes(HistoryQuery{.target = "origin"});
    ASSERT_GE(probes->size(), 8u);
    EXPECT_EQ(probes->back().outcome, Outcome::kProxyDenied);
    EXPECT_EQ(probes->back().connect_status, 403u);
    EXPECT_FALSE(probes->back().diagnosis.empty());
    EXPECT_EQ(probes->back().service, Service::kCustom);
    auto health = store->health(HistoryQuery{});
    ASSERT_FALSE(health->empty());
    EXPECT_EQ(health->back().state, HealthState::kFailing);
    EXPECT_FALSE(health->back().to.has_value());
    auto diagnoses = store->diagnoses(HistoryQuery{});
    ASSERT_EQ(diagnoses->size(), 1u);
    EXPECT_EQ(diagnoses->front().diagnosis, Diagnosis::kAclBlock);
    EXPECT_FALSE(store->integrity_check());
  }
  start_daemon("second.log");
  std::string text = scrape();
  // Counters start at zero after a restart; the window does not.
  double window = metric(text, "proxywatch_window_probes", {"target=\"origin\""}).value_or(0);
  double probed = metric(text, "proxywatch_probes_total", {"outcome=\"proxy_denied\""}).value_or(0);
  EXPECT_GE(window, 8) << text;
  EXPECT_GT(window, probed) << text;
  EXPECT_EQ(metric(text, "proxywatch_health_state", {"state=\"failing\""}), 1) << text;
  EXPECT_EQ(diagnosis(text, "acl_block"), 1) << text;
  EXPECT_TRUE(logged("history of 1 target(s) restored")) << daemon_->log();
  // Still failing and still blocked: no new transition or raise after the restart.
  ASSERT_TRUE(testing::wait_until(
      [&] {
        return metric(scrape(), "proxywatch_probes_total", {"outcome=\"proxy_denied\""})
                   .value_or(0) >= 3;
      },
      10s));
  EXPECT_EQ(daemon_->log().find("HEALTH=failing"), std::string::npos) << daemon_->log();
  EXPECT_EQ(daemon_->log().find("acl_block raised"), std::string::npos) << daemon_->log();
}

TEST_F(HistoryDaemonTest, KillNineLosesAtMostTheLastSecond) {
  start_proxy({Behavior::kRelay});
  write_yaml();
  start_daemon("first.log");
  ASSERT_TRUE(testing::wait_until([&] { return probed_ok() >= 5; }, 10s)) << daemon_->log();
  // Every probe counted now is on disk within the flush interval (1 s), with slack for a busy
  // machine: the daemon keeps probing (and writing) meanwhile.
  const double counted = probed_ok();
  EXPECT_TRUE(testing::wait_until(
      [&] {
        return metric(scrape(), "proxywatch_history_probes_written_total", {}).value_or(0) >= 1;
      },
      5s))
      << scrape();
  EXPECT_TRUE(testing::wait_until([&] { return stored(db()) >= counted; }, 2500ms))
      << stored(db()) << " of " << counted;
  kill(daemon_->pid(), SIGKILL);
  ASSERT_TRUE(testing::wait_until([&] { return !daemon_->running(); }, 5s));
  auto store = reader(db());
  ASSERT_TRUE(store);
  EXPECT_FALSE(store->integrity_check());
  EXPECT_GE(static_cast<double>(store->probes(HistoryQuery{})->size()), counted);
  store.reset();
  start_daemon("second.log");
  EXPECT_TRUE(logged("history of 1 target(s) restored")) << daemon_->log();
  EXPECT_EQ(daemon_->log().find("not used"), std::string::npos) << daemon_->log();
}

TEST_F(HistoryDaemonTest, ADatabaseThatIsNotOneIsSetAsideAndANewOneStarted) {
  start_proxy({Behavior::kRelay});
  write_yaml();
  dir_.write_file(std::string(kProbeStoreFileName), "SQLite format 3\0 but not really");
  start_daemon();
  EXPECT_TRUE(logged("not used, starting a new one")) << daemon_->log();
  bool aside = false;
  for (const auto& entry : fs::directory_iterator(dir_.path())) {
    aside = aside || entry.path().filename().string().starts_with("history.db.corrupt-");
  }
  EXPECT_TRUE(aside);
  EXPECT_TRUE(testing::wait_until([&] { return stored(db()) >= 1; }, 10s)) << daemon_->log();
}

TEST_F(HistoryDaemonTest, TheOlderStateFileIsImportedOnce) {
  Tracker tracker{HealthSettings{}};
  const WallTime now = std::chrono::system_clock::now();
  for (int i = 0; i < 4; ++i) {
    tracker.record(testing::result(Outcome::kProxyDenied, Phase::kProxyConnect),
                   now - std::chrono::seconds(40 - i));
  }
  dir_.write_file(std::string(kStateFileName),
                  state_to_json({PairState{"127.0.0.1:1", "origin", tracker.history()}}, now));
  start_proxy({Behavior::kRelay});
  // The proxy file names the fake proxy: the imported pair is another proxy's, so it is dropped
  // after the import, which the log and the database both show.
  write_yaml();
  start_daemon();
  EXPECT_TRUE(logged("history of 1 target(s) imported from")) << daemon_->log();
  EXPECT_FALSE(fs::exists(dir_.path() / kStateFileName));
  bool kept = false;
  for (const auto& entry : fs::directory_iterator(dir_.path())) {
    kept = kept || entry.path().filename().string().starts_with("state.json.imported-");
  }
  EXPECT_TRUE(kept);
  daemon_->terminate();
  start_daemon("second.log");
  EXPECT_EQ(daemon_->log().find("imported from"), std::string::npos) << daemon_->log();
}

TEST_F(HistoryDaemonTest, AFullDiskIsLoggedOnceProbingGoesOnAndWritingResumes) {
  start_proxy({Behavior::kRelay});
  write_yaml();
  // The state directory is a 2 MiB tmpfs in a mount namespace of the daemon's own; the test
  // reaches it through /proc/PID/root.
  fs::path state = dir_.path() / "state";
  fs::create_directories(state);
  std::string yaml = dir_.read_file("proxywatch.yaml");
  yaml.replace(yaml.find("state_dir: "), std::string("state_dir: ").size(),
               "state_dir: " + state.string() + "\n# was: ");
  dir_.write_file("proxywatch.yaml", yaml);
  daemon_ = std::make_unique<testing::ChildProcess>(
      std::vector<std::string>{"unshare", "--mount", "--propagation", "private", "sh", "-c",
                               "mount -t tmpfs -o size=2m,mode=0700 tmpfs '" + state.string() +
                                   "' && exec '" PROXYWATCH_BINARY "' daemon --config '" +
                                   yaml_.string() + "' --log-target stderr"},
      dir_.path() / "daemon.log");
  ASSERT_TRUE(testing::wait_until([&] { return !scrape().empty(); }, 10s)) << daemon_->log();
  fs::path inside =
      fs::path("/proc") / std::to_string(daemon_->pid()) / "root" / state.relative_path();
  ASSERT_TRUE(testing::wait_until([&] { return stored_inside(inside) >= 2; }, 10s))
      << last_error_ << "\n"
      << daemon_->log();
  // Fill what is left of the tmpfs.
  {
    std::ofstream filler(inside / "filler", std::ios::binary);
    std::string block(64 << 10, 'x');
    for (int i = 0; i < 64 && filler.write(block.data(), block.size()); ++i) {
    }
  }
  ASSERT_TRUE(logged("database or disk is full")) << daemon_->log();
  EXPECT_TRUE(testing::wait_until(
      [&] { return metric(scrape(), "proxywatch_history_writable", {}) == 0; }, 5s))
      << scrape();
  EXPECT_GE(metric(scrape(), "proxywatch_history_write_failures_total", {}).value_or(0), 1);
  const double before = probed_ok();
  ASSERT_TRUE(testing::wait_until([&] { return probed_ok() >= before + 3; }, 10s))
      << "probing stopped with the disk full\n"
      << daemon_->log();
  std::string log = daemon_->log();
  EXPECT_EQ(log.find("database or disk is full"), log.rfind("database or disk is full")) << log;
  fs::remove(inside / "filler");
  ASSERT_TRUE(logged("again (")) << daemon_->log();
  EXPECT_TRUE(testing::wait_until(
      [&] { return metric(scrape(), "proxywatch_history_writable", {}) == 1; }, 5s))
      << scrape();
  EXPECT_EQ(metric(scrape(), "proxywatch_history_probes_dropped_total", {}), 0);
  const double counted = probed_ok();
  EXPECT_TRUE(testing::wait_until([&] { return stored_inside(inside) >= counted; }, 5s))
      << stored_inside(inside) << " of " << counted;
}

}  // namespace
}  // namespace proxywatch
