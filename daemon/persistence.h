// Where the daemon's history goes: every finished probe, MTU comparison, health change and
// diagnosis into the probe store (history.db in state_dir, docs/history.md) through the
// HistoryWriter's thread, and each changed pair's tracker state within kStateSaveInterval, so
// a restart — or a kill -9, losing at most that interval — resumes where the daemon stopped.
// At start it opens the store (a file that is not usable is set aside and logged), imports an
// older state.json once, and restores the trackers from what was saved. Without a usable store
// (state_dir not writable) the daemon probes on and says once that no history is kept.
// Not thread-safe: the io_context thread only.
#pragma once

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/history/pair_registry.h"
#include "common/mtu_report.h"
#include "common/output/store/probe_store.h"
#include "common/service.h"
#include "daemon/history_metrics.h"
#include "daemon/history_writer.h"
#include "daemon/tracker_sink.h"

namespace proxywatch {

// How long after a change a pair's tracker state is handed to the writer.
inline constexpr std::chrono::seconds kStateSaveInterval{1};

class Persistence {
 public:
  // Saves `registry`'s pairs; restores them through `sink`, which exports them. The writer's
  // series go to `metrics` (HistoryMetrics).
  Persistence(const boost::asio::any_io_executor& executor, PairRegistry& registry,
              TrackerSink& sink, prometheus::Registry& metrics);
  ~Persistence();

  // Opens the history in `state_dir` and restores the trackers from it (see the file comment).
  void restore(const std::string& state_dir, const RetentionSettings& retention);

  // A probe of `key` (standing for `service`) finished at `at` and changed `changes`.
  void probe(const PairKey& key, Service service, const ProbeResult& result, WallTime at,
             const TrackerChanges& changes);
  // An MTU comparison of `key` finished at `at` and changed `changes`.
  void mtu(const PairKey& key, const MtuReport& report, WallTime at, const TrackerChanges& changes);
  // These pairs are no longer probed: their tracker states go (their history stays).
  void dropped(const std::vector<PairKey>& keys);
  // Hands every pending state to the writer, which writes what it holds and stops.
  void stop();

  // The database's path; empty before restore().
  const std::string& history_path() const { return history_path_; }
  // The writer, or nullptr when there is no usable store.
  const HistoryWriter* writer() const { return writer_.get(); }

 private:
  void changes(const PairKey& key, WallTime at, const TrackerChanges& changes, StoreBatch& batch);
  void touched(const PairKey& key);
  void save_states();
  std::vector<PairState> import_state_file(const std::string& state_dir, ProbeStore& store);

  PairRegistry& registry_;
  TrackerSink& sink_;
  HistoryMetrics metrics_;
  std::string history_path_;
  std::unique_ptr<HistoryWriter> writer_;
  std::set<PairKey> dirty_;
  boost::asio::steady_timer timer_;
  bool armed_ = false;
  bool stopped_ = false;
};

}  // namespace proxywatch
