// HistoryWriter against a real database in a temp dir: additions reach the store within the
// flush interval in one batch, stop() writes what is still queued, and a pair's newer tracker
// state replaces its older one while a drop removes it. Its thread runs beside the test's, so
// the ThreadSanitizer build runs this file too (tests/CMakeLists.txt, thread_tests).
#include "daemon/history_writer.h"

#include <gtest/gtest.h>

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
