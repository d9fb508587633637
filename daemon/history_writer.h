// The history's writer: a thread of its own that owns the probe store's writing connection
// (common/output/store/probe_store.h) and writes what the io_context thread hands it, at most
// kHistoryFlushInterval later, one transaction per flush — so a probe never waits for the disk
// and a kill -9 loses at most the last interval. A write that fails (a full disk) is logged
// once; what was not written is kept, bounded, and written with the next flush that succeeds
// (logged too); probing goes on throughout. Retention runs at start and every hour. With
// nothing to write the thread sleeps (an idle daemon is not woken every second).
// Thread-safety: add() and stats() from any thread; start() and stop() from one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "common/output/store/probe_store.h"

namespace proxywatch {

inline constexpr std::chrono::milliseconds kHistoryFlushInterval{1000};
inline constexpr std::chrono::minutes kHistoryRetentionInterval{60};
// The most probe rows kept unwritten while writing fails (about 30 MB); beyond it the oldest
// go, counted and logged. At 10,000 pairs and a 60 s interval: 10 minutes of probes.
inline constexpr std::size_t kHistoryMaxPending = 100'000;

class HistoryWriter {
 public:
  struct Stats {
    std::uint64_t probes_written = 0;
    std::uint64_t probes_dropped = 0;      // lost: kept unwritten past kHistoryMaxPending
    std::uint64_t failed_writes = 0;       // flushes that did not commit
    std::optional<WallTime> last_write{};  // the last flush that committed
    std::size_t pending = 0;               // probe rows waiting to be written
  };

  // Called on the writer's thread after each flush that wrote or failed: the figures, and
  // whether the write committed.
  using FlushObserver = std::function<void(const Stats& stats, bool written)>;

  // Takes `store` (opened for writing) and starts the thread.
  HistoryWriter(std::unique_ptr<ProbeStore> store, RetentionSettings retention,
                std::chrono::milliseconds flush_interval = kHistoryFlushInterval,
                FlushObserver observer = {});
  // Calls stop().
  ~HistoryWriter();
  HistoryWriter(const HistoryWriter&) = delete;
  HistoryWriter& operator=(const HistoryWriter&) = delete;

  // Queues `part` for the next flush. Tracker states replace the pair's earlier unwritten one.
  void add(StoreBatch part);
  // Writes what is queued (one last try) and logs what it wrote, or what was lost because that
  // write failed (counts and the error), then ends the thread. Idempotent.
  void stop();

  Stats stats() const;
  const std::string& path() const { return path_; }

 private:
  // What one flush tried to write, and whether it committed.
  struct Flushed {
    std::size_t probes = 0;
    std::size_t states = 0;  // tracker states (and drops)
    bool written = true;
  };
  void run();
  Flushed flush(StoreBatch batch);
  void log_last_flush(const Flushed& last) const;
  void apply_retention();
  static void merge(StoreBatch& into, StoreBatch part);
  StoreBatch take();  // with mutex_ held

  std::unique_ptr<ProbeStore> store_;
  const std::string path_;
  const RetentionSettings retention_;
  const std::chrono::milliseconds flush_interval_;
  const FlushObserver observer_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  // When the oldest unwritten addition came: a flush follows one interval later.
  std::optional<std::chrono::steady_clock::time_point> first_pending_;
  StoreBatch pending_;
  std::map<PairKey, PairState> states_;  // the latest unwritten state of each pair
  std::set<PairKey> dropped_;
  Stats stats_;

  // The writer thread's own (no lock): what failed to be written, to try again.
  StoreBatch carried_;
  std::optional<std::string> failing_;  // the error logged while writes fail
  std::chrono::steady_clock::time_point next_retention_{};
  std::thread thread_;
};

}  // namespace proxywatch
