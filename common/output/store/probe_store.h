// The probe log: every probe, MTU verdict, health change and diagnosis of every pair, kept in one
// SQLite database in state_dir (docs/history.md), and each pair's tracker state, so a restart
// resumes where the daemon stopped. WAL mode: one writer (the daemon's history writer thread)
// and any number of readers (the status page, `/history.json`, `proxywatch history` from another
// process) at once. A database that does not open, is not a regular file (a symlink, a FIFO) or
// fails `PRAGMA quick_check` is renamed `<name>.corrupt-<UTC time>` and a new one is started.
// Holds proxy and target names, outcomes, timings, statuses, TLS and TCP figures and
// certificate names: never a credential. A ProbeStore is one connection: use it from one thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/health.h"
#include "common/history/pair_registry.h"
#include "common/history/probe_log.h"
#include "common/outcome.h"
#include "common/probe_result.h"
#include "common/service.h"

struct sqlite3;

namespace proxywatch {

// The database's name inside state_dir.
inline constexpr std::string_view kProbeStoreFileName = "history.db";
// The schema's version (PRAGMA user_version). An older database is migrated forward on open; a
// newer one (from a later proxywatch) is set aside like a corrupt one. Version 2 added
// probes.confirmation; a version 1 database read without migrating has none (read as 0).
inline constexpr int kProbeStoreSchemaVersion = 2;

// The probe as the tracker's window keeps it (what make_sample() makes of the ProbeResult).
Sample to_sample(const ProbeRecord& record);

// `result`, a probe of `target` (standing for `service`) through `proxy` that finished at `at`.
ProbeRecord make_probe_record(std::string proxy, std::string target, Service service,
                              const ProbeResult& result, WallTime at);

// An MTU comparison's verdict (MtuVerdict's name) and the sentence behind it.
struct MtuRecord {
  WallTime at{};
  std::string proxy{};
  std::string target{};
  std::string verdict{};  // "none", "inbound", "outbound", "inconclusive"
  std::string detail{};
  friend bool operator==(const MtuRecord&, const MtuRecord&) = default;
};

// A pair entered `state` at `at` (it left the previous one then).
struct HealthChange {
  std::string proxy{};
  std::string target{};
  HealthState state = HealthState::kUnknown;
  WallTime at{};
};

// A diagnosis of a pair was raised (or cleared) at `at`.
struct DiagnosisEvent {
  std::string proxy{};
  std::string target{};
  Diagnosis diagnosis{};
  bool raised = true;
  WallTime at{};
  Evidence evidence{};  // raised: what supports it; cleared: why it cleared (summary)
};

// What one transaction writes: everything the daemon learnt since the last one.
struct StoreBatch {
  std::vector<ProbeRecord> probes{};
  std::vector<MtuRecord> mtu{};
  std::vector<HealthChange> health{};
  std::vector<DiagnosisEvent> diagnoses{};
  // Tracker states of the pairs that changed (replace the old). Saved without their windows.
  std::vector<PairState> states{};
  std::vector<PairKey> dropped{};  // pairs no longer probed: their state goes, their history stays
  bool empty() const {
    return probes.empty() && mtu.empty() && health.empty() && diagnoses.empty() && states.empty() &&
           dropped.empty();
  }
};

// Which part of the history to read. Empty strings and nullopt match everything.
struct HistoryQuery {
  WallTime from{};                // inclusive
  WallTime to = WallTime::max();  // exclusive
  std::string proxy{};
  std::string target{};
  std::optional<Service> service{};
  bool failures_only = false;  // probes only: leave out the ok ones
  std::size_t limit = 0;       // probes only: at most this many, the newest; 0: all
};

// How long the history is kept (docs/history.md says why these defaults).
struct RetentionSettings {
  std::chrono::milliseconds max_age{std::chrono::hours(24 * 90)};  // passing probes
  // Failed probes, MTU verdicts, ended intervals.
  std::chrono::milliseconds failure_max_age{std::chrono::hours(24 * 365)};
  std::uint64_t max_bytes = std::uint64_t{200} << 20;  // the database's pages in use
};

// What apply_retention removed.
struct RetentionReport {
  std::uint64_t deleted_by_age = 0;   // probe rows
  std::uint64_t deleted_by_size = 0;  // probe rows
};

class ProbeStore;

// A store opened for writing, and what happened on the way.
struct OpenedStore {
  std::unique_ptr<ProbeStore> store;
  // When the old file was set aside: why, and where it went. Empty otherwise.
  std::optional<std::string> warning{};
};

class ProbeStore {
 public:
  // Opens the database at `path` for reading and writing, creating it (mode 0600) when absent,
  // migrating an older schema forward. A file that is not usable is set aside (see the file
  // comment) and a new one created; only when that also fails (the directory is not writable,
  // the disk is full) is the result an error.
  static Result<OpenedStore> open(const std::string& path, WallTime now);
  // Opens an existing database for reading only: never creates, migrates or sets anything
  // aside (`proxywatch history --db`, the status page). Errors: not found, not a regular file,
  // not a proxywatch database, a newer schema.
  static Result<std::unique_ptr<ProbeStore>> open_read_only(const std::string& path);

  ~ProbeStore();
  ProbeStore(const ProbeStore&) = delete;
  ProbeStore& operator=(const ProbeStore&) = delete;

  // Writes `batch` in one transaction: all of it or, on an error (a full disk: Error's code is
  // ENOSPC), none of it, and the same batch may be written again later.
  Result<void> write(const StoreBatch& batch);

  // Deletes what `settings` no longer keeps at `now`: ok probes older than max_age, everything
  // older than failure_max_age, then the oldest probes (ok ones first) until the pages in use
  // fit max_bytes. Freed pages are reused by later writes (the file does not grow back).
  Result<RetentionReport> apply_retention(const RetentionSettings& settings, WallTime now);

  // Probes matching `query`, oldest first.
  Result<std::vector<ProbeRecord>> probes(const HistoryQuery& query) const;
  // The same probes reduced to chart points, oldest first (cheaper than probes()).
  Result<std::vector<ProbePoint>> points(const HistoryQuery& query) const;
  // Health and diagnosis intervals that overlap [query.from, query.to), oldest first.
  Result<std::vector<HealthInterval>> health(const HistoryQuery& query) const;
  Result<std::vector<DiagnosisInterval>> diagnoses(const HistoryQuery& query) const;
  Result<std::vector<MtuRecord>> mtu(const HistoryQuery& query) const;
  // Every pair's last saved tracker state (restored at start), its window rebuilt from the
  // pair's probes: the newest settings.window_probes, none older than settings.window_duration
  // before `now`. (A state is saved without its window, which the probe rows already hold.)
  Result<std::vector<PairState>> pair_states(const HealthSettings& settings, WallTime now) const;
  // The (proxy, target, service) of every pair in the history, ordered by proxy and target.
  struct PairInfo {
    std::string proxy{};
    std::string target{};
    Service service = Service::kCustom;
  };
  Result<std::vector<PairInfo>> pairs() const;

  // PRAGMA integrity_check: nothing, or the damage SQLite found.
  MaybeError integrity_check() const;

  // Bytes of the database's pages in use (the file may be larger: free pages are kept).
  std::uint64_t used_bytes() const;
  const std::string& path() const { return path_; }

  // Prepared statements and known ids (probe_store_cache.h); internal to the implementation.
  struct Cache;

 private:
  ProbeStore(sqlite3* db, std::string path, bool read_only);

  sqlite3* db_;
  std::string path_{};
  bool read_only_;
  std::unique_ptr<Cache> cache_;
};

}  // namespace proxywatch
