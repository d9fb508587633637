// HistoryWriter against a real database in a temp dir: additions reach the store within the
// flush interval in one batch, stop() writes what is still queued, and a pair's newer tracker
// state replaces its older one while a drop removes it. Its thread runs beside the test's, so
// the ThreadSanitizer build runs this file too (tests/CMakeLists.txt, thread_tests).
#include "daemon/history_writer.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "common/output/log/log.h"

#include "tests/support/results.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;

// Now: the writer applies retention (90 days by default) against the clock.
const WallTime kWriterT0 = std::chrono::system_clock::now();

ProbeRecord writer_probe(const std::string& target, int second) {
  return make_probe_record("p:1", target, Service::kCustom, testing::result(Outcome::kOk),
                           kWriterT0 + std::chrono::seconds(second));
}

class HistoryWriterTest : public ::testing::Test {
 protected:
  // The writer logs at stop; an earlier test's capturing sink may be gone by now.
  void SetUp() override { init_logging_for_test(std::make_shared<spdlog::sinks::null_sink_mt>()); }
  std::string path() const { return (dir_.path() / "history.db").string(); }
  std::unique_ptr<HistoryWriter> start(std::chrono::milliseconds interval) {
    auto opened = ProbeStore::open(path(), kWriterT0);
    EXPECT_TRUE(opened);
    return std::make_unique<HistoryWriter>(std::move(opened->store), RetentionSettings{}, interval);
  }
  std::size_t stored() {
    auto reader = ProbeStore::open_read_only(path());
    if (!reader) {
      error_ = reader.error().to_string();
      return 0;
    }
    auto probes = (*reader)->probes(HistoryQuery{});
    if (!probes) error_ = probes.error().to_string();
    return probes ? probes->size() : 0;
  }
  std::string error_;  // why stored() last found nothing
  testing::TempDir dir_{"pw-writer"};
};

TEST_F(HistoryWriterTest, AdditionsAreWrittenWithinTheIntervalAndCounted) {
  auto writer = start(100ms);
  for (int i = 0; i < 5; ++i) writer->add(StoreBatch{.probes = {writer_probe("a", i)}});
  EXPECT_TRUE(testing::wait_until([&] { return stored() == 5; }, 5s))
      << stored() << " written " << writer->stats().probes_written << " failed "
      << writer->stats().failed_writes << " " << error_;
  EXPECT_TRUE(testing::wait_until([&] { return writer->stats().probes_written == 5; }, 5s));
  HistoryWriter::Stats stats = writer->stats();
  EXPECT_EQ(stats.pending, 0u);
  EXPECT_EQ(stats.failed_writes, 0u);
  EXPECT_TRUE(stats.last_write.has_value());
}

TEST_F(HistoryWriterTest, StopWritesWhatIsStillQueued) {
  // An interval far longer than the test: only stop() can have written these.
  auto writer = start(1h);
  writer->add(StoreBatch{.probes = {writer_probe("a", 1), writer_probe("b", 1)}});
  writer->stop();
  EXPECT_EQ(stored(), 2u);
  writer->stop();  // idempotent
}

// Runs `sql` on the database beside the writer's connection.
void writer_test_sql(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

// The last write, at stop, is logged with its counts whether it committed or failed; the
// failed one names the error and what is lost (nothing retries it).
TEST_F(HistoryWriterTest, TheLastWriteAtStopIsLoggedWithItsCounts) {
  std::ostringstream log;
  init_logging_for_test(std::make_shared<spdlog::sinks::ostream_sink_mt>(log));
  auto writer = start(1h);
  writer->add(StoreBatch{.probes = {writer_probe("a", 1), writer_probe("b", 1)},
                         .states = {PairState{"p:1", "a", {}}}});
  writer->stop();
  EXPECT_NE(log.str().find("last write at stop: 2 probes and 1 target states written to " + path() +
                           " (2 probes written since start, 0 writes failed)"),
            std::string::npos)
      << log.str();

  // A failing disk, as a trigger that refuses every probe row.
  writer_test_sql(path(),
                  "CREATE TRIGGER writer_test_full BEFORE INSERT ON probes "
                  "BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END;");
  log.str("");
  auto failing = start(1h);
  failing->add(
      StoreBatch{.probes = {writer_probe("c", 2), writer_probe("c", 3), writer_probe("c", 4)}});
  failing->stop();
  EXPECT_NE(log.str().find("last write at stop failed ("), std::string::npos) << log.str();
  EXPECT_NE(log.str().find("disk full (test)"), std::string::npos) << log.str();
  EXPECT_NE(log.str().find("3 probes and 0 target states are lost (0 probes written since "
                           "start, 1 writes failed)"),
            std::string::npos)
      << log.str();
  EXPECT_EQ(failing->stats().failed_writes, 1u);
  init_logging_for_test(std::make_shared<spdlog::sinks::null_sink_mt>());  // `log` ends here
}

TEST_F(HistoryWriterTest, ANewerStateReplacesTheOlderAndADropRemovesIt) {
  auto writer = start(1h);
  PairState a{"p:1", "a", {}};
  a.history.consecutive_failures = 1;
  writer->add(StoreBatch{.states = {a, PairState{"p:1", "b", {}}}});
  a.history.consecutive_failures = 7;
  writer->add(StoreBatch{.states = {a}});
  writer->add(StoreBatch{.dropped = {{"p:1", "b"}}});
  writer->stop();
  auto reader = ProbeStore::open_read_only(path());
  ASSERT_TRUE(reader);
  auto states = (*reader)->pair_states(HealthSettings{}, kWriterT0);
  ASSERT_TRUE(states);
  ASSERT_EQ(states->size(), 1u);
  EXPECT_EQ(states->front().target, "a");
  EXPECT_EQ(states->front().history.consecutive_failures, 7u);
}

}  // namespace
}  // namespace proxywatch
