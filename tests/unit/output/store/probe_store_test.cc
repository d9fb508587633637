// The probe store against real SQLite files in a temp dir: what is written reads back whole
// (probes, points, intervals, MTU verdicts, tracker states), queries filter and bound, and a
// file that is not a usable history is set aside (or, read-only, refused) with a clear reason.
#include "common/output/store/probe_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "common/history/tracker.h"
#include "tests/support/results.h"
#include "tests/support/temp_dir.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const WallTime kT0 = WallTime{} + std::chrono::hours(24 * 365 * 56);

ProbeRecord store_probe(std::string target, WallTime at, Outcome outcome = Outcome::kOk) {
  ProbeResult r = outcome == Outcome::kOk ? testing::result(Outcome::kOk)
                                          : testing::result(outcome, Phase::kProxyConnect);
  r.phases = {Seconds(0.001), Seconds(0.002), Seconds(0.030),
              std::nullopt,   std::nullopt,   std::nullopt};
  r.connect_status = outcome == Outcome::kOk ? 200 : 403;
  r.tls.version = outcome == Outcome::kOk ? "TLSv1.3" : "";
  r.tls.issuer = outcome == Outcome::kOk ? "CN=Test CA" : "";
  r.tcp_at_end =
      TcpInfo{.rtt_us = 120, .retransmits = 1, .snd_mss = 1448, .rcv_mss = 1448, .pmtu = 1500};
  r.peer_close = outcome == Outcome::kOk ? PeerClose::kNotSeen : PeerClose::kFin;
  r.diagnosis = outcome == Outcome::kOk ? "" : "the proxy refused the CONNECT (403)";
  return make_probe_record("127.0.0.1:3128", std::move(target), Service::kLicensing, r, at);
}

class ProbeStoreTest : public ::testing::Test {
 protected:
  std::string path() const { return (dir_.path() / "history.db").string(); }
  std::unique_ptr<ProbeStore> open() {
    auto opened = ProbeStore::open(path(), kT0);
    EXPECT_TRUE(opened) << opened.error().to_string();
    EXPECT_FALSE(opened->warning) << *opened->warning;
    return std::move(opened->store);
  }
  testing::TempDir dir_{"pw-store"};
};

TEST_F(ProbeStoreTest, ProbesReadBackWholeAfterReopening) {
  StoreBatch batch;
  batch.probes = {store_probe("a", kT0 + 1s), store_probe("a", kT0 + 2s, Outcome::kProxyDenied)};
  ASSERT_TRUE(open()->write(batch));
  auto store = open();
  auto probes = store->probes(HistoryQuery{});
  ASSERT_TRUE(probes) << probes.error().to_string();
  ASSERT_EQ(probes->size(), 2u);
  EXPECT_EQ((*probes)[0], batch.probes[0]);
  EXPECT_EQ((*probes)[1], batch.probes[1]);
  EXPECT_EQ((*probes)[1].diagnosis, "the proxy refused the CONNECT (403)");
  EXPECT_NEAR((*probes)[0].total_seconds(), 0.033, 1e-9);
  struct stat info {};
  ASSERT_EQ(::stat(path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(ProbeStoreTest, QueriesFilterByTimeTargetServiceAndFailuresAndKeepTheNewest) {
  auto store = open();
  StoreBatch batch;
  for (int i = 0; i < 10; ++i) {
    batch.probes.push_back(
        store_probe("a", kT0 + i * 1min, i % 3 ? Outcome::kOk : Outcome::kProxyDenied));
    batch.probes.push_back(store_probe("b", kT0 + i * 1min + 1s));
  }
  batch.probes.back().service = Service::kUpdates;
  ASSERT_TRUE(store->write(batch));
  EXPECT_EQ(store->probes(HistoryQuery{.target = "a"})->size(), 10u);
  EXPECT_EQ(store->probes(HistoryQuery{.service = Service::kUpdates})->size(), 10u);
  EXPECT_EQ(store->probes(HistoryQuery{.target = "a", .failures_only = true})->size(), 4u);
  auto window = store->probes(HistoryQuery{.from = kT0 + 2min, .to = kT0 + 4min});
  ASSERT_EQ(window->size(), 4u);
  EXPECT_EQ(window->front().at, kT0 + 2min);
  auto newest = store->probes(HistoryQuery{.limit = 3});
  ASSERT_EQ(newest->size(), 3u);
  EXPECT_EQ(newest->back().at, kT0 + 9min + 1s);
  EXPECT_EQ(newest->front().at, kT0 + 8min + 1s);
  auto points = store->points(HistoryQuery{.target = "a"});
  ASSERT_EQ(points->size(), 10u);
  EXPECT_FALSE((*points)[0].ok);
  EXPECT_NEAR((*points)[1].seconds, 0.033, 1e-9);
  auto pairs = store->pairs();
  ASSERT_EQ(pairs->size(), 2u);
  EXPECT_EQ((*pairs)[1].service, Service::kUpdates);
}

TEST_F(ProbeStoreTest, TwoProbesInTheSameMillisecondAreBothKept) {
  StoreBatch batch;
  batch.probes = {store_probe("a", kT0), store_probe("a", kT0)};
  auto store = open();
  ASSERT_TRUE(store->write(batch));
  EXPECT_EQ(store->probes(HistoryQuery{})->size(), 2u);
}

TEST_F(ProbeStoreTest, HealthAndDiagnosesBecomeIntervals) {
  auto store = open();
  StoreBatch batch;
  batch.health = {{"p", "a", HealthState::kHealthy, kT0},
                  {"p", "a", HealthState::kFailing, kT0 + 1h}};
  Evidence evidence{.summary = "5 of 5 probes denied", .window_probes = 5, .matching_probes = 5};
  batch.diagnoses = {{"p", "a", Diagnosis::kAclBlock, true, kT0 + 1h, evidence}};
  ASSERT_TRUE(store->write(batch));
  StoreBatch later;
  later.health = {{"p", "a", HealthState::kHealthy, kT0 + 3h}};
  later.diagnoses = {{"p", "a", Diagnosis::kAclBlock, false, kT0 + 3h,
                      Evidence{.summary = "no deny in the window"}}};
  ASSERT_TRUE(store->write(later));
  auto health = store->health(HistoryQuery{.from = kT0 + 2h});
  ASSERT_EQ(health->size(), 2u);
  EXPECT_EQ((*health)[0], (HealthInterval{"p", "a", HealthState::kFailing, kT0 + 1h, kT0 + 3h}));
  EXPECT_EQ((*health)[1].to, std::nullopt);
  auto diagnoses = store->diagnoses(HistoryQuery{});
  ASSERT_EQ(diagnoses->size(), 1u);
  EXPECT_EQ((*diagnoses)[0].evidence, evidence);
  EXPECT_EQ((*diagnoses)[0].to, kT0 + 3h);
  EXPECT_EQ((*diagnoses)[0].cleared_why, "no deny in the window");
  EXPECT_TRUE(store->diagnoses(HistoryQuery{.from = kT0 + 4h})->empty());
}

TEST_F(ProbeStoreTest, TrackerStatesAreReplacedAndDropped) {
  Tracker tracker{HealthSettings{}};
  for (int i = 0; i < 3; ++i) tracker.record(testing::result(Outcome::kOk), kT0 + i * 1min);
  PairState a{"p", "a", tracker.history()};
  auto store = open();
  StoreBatch first;
  first.states = {a, PairState{"p", "b", {}}};
  first.mtu = {{kT0, "p", "a", "inbound", "large segments from the proxy die"}};
  ASSERT_TRUE(store->write(first));
  StoreBatch second;
  second.dropped = {{"p", "b"}};
  ASSERT_TRUE(store->write(second));
  auto states = open()->pair_states(HealthSettings{}, kT0 + 3min);
  ASSERT_TRUE(states) << states.error().to_string();
  ASSERT_EQ(states->size(), 1u);
  EXPECT_EQ((*states)[0].target, "a");
  // The window is not saved with the state: it comes from the probes, of which there are none.
  EXPECT_EQ((*states)[0].history.window.size(), 0u);
  EXPECT_EQ((*states)[0].history.health, a.history.health);
  EXPECT_EQ(*store->mtu(HistoryQuery{}), first.mtu);
}

TEST_F(ProbeStoreTest, WindowsAreRebuiltFromTheNewestProbesWithinTheWindow) {
  auto store = open();
  StoreBatch batch;
  Tracker tracker{HealthSettings{}};
  for (int i = 0; i < 30; ++i) {
    batch.probes.push_back(
        store_probe("a", kT0 + i * 1min, i == 29 ? Outcome::kProxyDenied : Outcome::kOk));
  }
  batch.states = {PairState{"127.0.0.1:3128", "a", tracker.history()}};
  ASSERT_TRUE(store->write(batch));
  HealthSettings settings;
  settings.window_probes = 10;
  auto states = store->pair_states(settings, kT0 + 29min);
  ASSERT_TRUE(states) << states.error().to_string();
  ASSERT_EQ(states->size(), 1u);
  const auto& window = states->front().history.window.samples();
  ASSERT_EQ(window.size(), 10u);
  EXPECT_EQ(window.front().at, kT0 + 20min);
  EXPECT_EQ(window.back(), to_sample(batch.probes.back()));
  EXPECT_EQ(window.back().outcome, Outcome::kProxyDenied);
  settings.window_duration = std::chrono::minutes(5);
  EXPECT_EQ(store->pair_states(settings, kT0 + 29min)->front().history.window.size(), 6u);
}

TEST_F(ProbeStoreTest, RetentionDeletesOkProbesBeforeFailuresByAge) {
  auto store = open();
  StoreBatch batch;
  batch.probes = {store_probe("a", kT0, Outcome::kProxyDenied), store_probe("a", kT0 + 1s),
                  store_probe("a", kT0 + 50 * 24h)};
  ASSERT_TRUE(store->write(batch));
  RetentionSettings settings{.max_age = std::chrono::hours(24 * 30),
                             .failure_max_age = std::chrono::hours(24 * 90)};
  auto report = store->apply_retention(settings, kT0 + 60 * 24h);
  ASSERT_TRUE(report) << report.error().to_string();
  EXPECT_EQ(report->deleted_by_age, 1u);
  auto left = store->probes(HistoryQuery{});
  ASSERT_EQ(left->size(), 2u);
  EXPECT_EQ(left->front().outcome, Outcome::kProxyDenied);
  // 100 days on, the ok probe of day 50 is past 30 days and the failure past 90.
  EXPECT_EQ(store->apply_retention(settings, kT0 + 100 * 24h)->deleted_by_age, 2u);
  EXPECT_TRUE(store->probes(HistoryQuery{})->empty());
}

TEST_F(ProbeStoreTest, RetentionBySizeDeletesTheOldestUntilThePagesFit) {
  auto store = open();
  for (int b = 0; b < 20; ++b) {
    StoreBatch batch;
    for (int i = 0; i < 500; ++i)
      batch.probes.push_back(store_probe("a", kT0 + (b * 500 + i) * 1min));
    ASSERT_TRUE(store->write(batch));
  }
  std::uint64_t before = store->used_bytes();
  RetentionSettings settings{.max_bytes = before / 2};
  auto report = store->apply_retention(settings, kT0 + 10'000min);
  ASSERT_TRUE(report) << report.error().to_string();
  EXPECT_GT(report->deleted_by_size, 0u);
  EXPECT_LE(store->used_bytes(), settings.max_bytes);
  auto left = store->probes(HistoryQuery{});
  ASSERT_FALSE(left->empty());
  EXPECT_EQ(left->back().at, kT0 + 9'999min);  // the newest stay
  EXPECT_LE(fs::file_size(path()), before + (64u << 10));
}

TEST_F(ProbeStoreTest, GarbageIsSetAsideAndANewDatabaseStarted) {
  std::ofstream(path()) << "this is not SQLite, this is a state file gone wrong\n";
  auto opened = ProbeStore::open(path(), kT0);
  ASSERT_TRUE(opened) << opened.error().to_string();
  ASSERT_TRUE(opened->warning);
  EXPECT_NE(opened->warning->find("moved aside to"), std::string::npos) << *opened->warning;
  int aside = 0;
  for (const auto& entry : fs::directory_iterator(dir_.path())) {
    aside += entry.path().filename().string().starts_with("history.db.corrupt-");
  }
  EXPECT_EQ(aside, 1);
  EXPECT_TRUE(opened->store->write(StoreBatch{.probes = {store_probe("a", kT0)}}));
}

// Runs `sql` on the database at `path` with SQLite itself, behind the store's back.
void store_sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST_F(ProbeStoreTest, ADatabaseFromANewerProxywatchOrAnotherProgramIsSetAside) {
  open()->write(StoreBatch{.probes = {store_probe("a", kT0)}});
  store_sql(path(), "PRAGMA user_version=99");
  auto reader = ProbeStore::open_read_only(path());
  ASSERT_FALSE(reader);
  EXPECT_NE(reader.error().message.find("schema version 99"), std::string::npos)
      << reader.error().message;
  auto newer = ProbeStore::open(path(), kT0);
  ASSERT_TRUE(newer) << newer.error().to_string();
  ASSERT_TRUE(newer->warning);
  EXPECT_NE(newer->warning->find("schema version 99"), std::string::npos) << *newer->warning;
  EXPECT_TRUE(newer->store->probes(HistoryQuery{})->empty());
  newer->store.reset();
  fs::remove(path());
  store_sql(path(), "CREATE TABLE notes(text TEXT)");
  auto other = ProbeStore::open(path(), kT0);
  ASSERT_TRUE(other && other->warning);
  EXPECT_NE(other->warning->find("not a proxywatch history"), std::string::npos) << *other->warning;
}

TEST_F(ProbeStoreTest, DamageFoundByQuickCheckIsSetAside) {
  {
    auto store = open();
    for (int b = 0; b < 10; ++b) {
      StoreBatch batch;
      for (int i = 0; i < 200; ++i)
        batch.probes.push_back(store_probe("a", kT0 + (b * 200 + i) * 1s));
      ASSERT_TRUE(store->write(batch));
    }
  }
  // Overwrite the middle of the file (b-tree pages of the probes) with garbage.
  auto size = fs::file_size(path());
  {
    std::fstream file(path(), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(size / 2));
    std::string garbage(8192, '\x5a');
    file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  auto opened = ProbeStore::open(path(), kT0);
  ASSERT_TRUE(opened) << opened.error().to_string();
  ASSERT_TRUE(opened->warning);
  EXPECT_NE(opened->warning->find("moved aside"), std::string::npos) << *opened->warning;
  EXPECT_TRUE(opened->store->probes(HistoryQuery{})->empty());
  EXPECT_FALSE(opened->store->integrity_check());
}

TEST_F(ProbeStoreTest, SymlinkAndFifoAreSetAsideNeverFollowed) {
  std::string victim = (dir_.path() / "victim").string();
  std::ofstream(victim) << "keep me";
  fs::create_symlink(victim, path());
  auto opened = ProbeStore::open(path(), kT0);
  ASSERT_TRUE(opened) << opened.error().to_string();
  ASSERT_TRUE(opened->warning);
  EXPECT_NE(opened->warning->find("symbolic link"), std::string::npos) << *opened->warning;
  opened->store.reset();
  std::ifstream in(victim);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, "keep me");
  fs::remove(path());
  ASSERT_EQ(::mkfifo(path().c_str(), 0600), 0);
  auto fifo = ProbeStore::open(path(), kT0);
  ASSERT_TRUE(fifo) << fifo.error().to_string();
  ASSERT_TRUE(fifo->warning);
  EXPECT_NE(fifo->warning->find("not a regular file"), std::string::npos) << *fifo->warning;
}

TEST_F(ProbeStoreTest, ReadOnlyOpenRefusesWhatIsNotAHistoryAndNeverCreates) {
  auto missing = ProbeStore::open_read_only(path());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, Error::Kind::kNotFound);
  EXPECT_FALSE(fs::exists(path()));
  std::ofstream(path()) << "garbage";
  auto garbage = ProbeStore::open_read_only(path());
  ASSERT_FALSE(garbage);
  EXPECT_NE(garbage.error().message.find("not a proxywatch history"), std::string::npos)
      << garbage.error().message;
  EXPECT_TRUE(fs::exists(path()));  // never set aside by a reader
  fs::remove(path());
  open()->write(StoreBatch{.probes = {store_probe("a", kT0)}});
  auto reader = ProbeStore::open_read_only(path());
  ASSERT_TRUE(reader) << reader.error().to_string();
  EXPECT_EQ((*reader)->probes(HistoryQuery{})->size(), 1u);
  EXPECT_FALSE((*reader)->write(StoreBatch{.probes = {store_probe("a", kT0)}}));
  // A database closed cleanly is read without creating a -wal or -shm (which, made by root,
  // the daemon could not open later).
  reader->reset();
  EXPECT_FALSE(fs::exists(path() + "-wal"));
  EXPECT_FALSE(fs::exists(path() + "-shm"));
}

TEST_F(ProbeStoreTest, ReadersSeeWhatTheWriterCommittedWhileItIsOpen) {
  auto writer = open();
  ASSERT_TRUE(writer->write(StoreBatch{.probes = {store_probe("a", kT0)}}));
  auto reader = ProbeStore::open_read_only(path());
  ASSERT_TRUE(reader) << reader.error().to_string();
  EXPECT_EQ((*reader)->probes(HistoryQuery{})->size(), 1u);
  ASSERT_TRUE(writer->write(StoreBatch{.probes = {store_probe("a", kT0 + 1s)}}));
  EXPECT_EQ((*reader)->probes(HistoryQuery{})->size(), 2u);
}

TEST_F(ProbeStoreTest, APathWithUriCharactersOpensReadOnly) {
  fs::path odd = dir_.path() / "a?b#c%d";
  fs::create_directories(odd);
  std::string file = (odd / "history.db").string();
  {
    auto opened = ProbeStore::open(file, kT0);
    ASSERT_TRUE(opened) << opened.error().to_string();
    ASSERT_TRUE(opened->store->write(StoreBatch{.probes = {store_probe("a", kT0)}}));
  }
  auto reader = ProbeStore::open_read_only(file);
  ASSERT_TRUE(reader) << reader.error().to_string();
  EXPECT_EQ((*reader)->probes(HistoryQuery{})->size(), 1u);
}

}  // namespace
}  // namespace proxywatch
