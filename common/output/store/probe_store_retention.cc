// Retention: what the probe store deletes, by age and by size (docs/history.md).
#include <algorithm>
#include <vector>

#include "common/output/store/probe_store.h"
#include "common/output/store/probe_store_cache.h"

namespace proxywatch {
namespace {

using sqlite::Statement;

std::vector<std::int64_t> pair_ids(ProbeStore::Cache& cache, sqlite3* db) {
  Statement& s = cache.statement(db, "SELECT id FROM pairs");
  sqlite::Resetting done(s);
  std::vector<std::int64_t> ids;
  while (s.step()) ids.push_back(s.integer(0));
  return ids;
}

// Deletes the probes of every pair before `cutoff` (ok ones only, or all); returns how many.
std::uint64_t delete_probes(ProbeStore::Cache& cache, sqlite3* db, std::int64_t cutoff,
                            bool ok_only) {
  Statement& s = cache.statement(db, ok_only ? "DELETE FROM probes WHERE pair=?1 AND at_ms<?2 "
                                               "AND outcome='ok'"
                                             : "DELETE FROM probes WHERE pair=?1 AND at_ms<?2");
  std::uint64_t deleted = 0;
  // Pair by pair: each delete is a range of the primary key, never a scan of the table.
  for (std::int64_t id : pair_ids(cache, db)) {
    s.bind(1, id).bind(2, cutoff).run();
    deleted += static_cast<std::uint64_t>(sqlite3_changes64(db));
  }
  return deleted;
}

// The oldest probe's time, or nullopt when there is none.
std::optional<std::int64_t> oldest_probe(ProbeStore::Cache& cache, sqlite3* db) {
  Statement& s = cache.statement(db, "SELECT min(at_ms) FROM probes WHERE pair=?1");
  std::optional<std::int64_t> oldest;
  for (std::int64_t id : pair_ids(cache, db)) {
    s.bind(1, id);
    sqlite::Resetting done(s);
    if (s.step() && !s.is_null(0)) {
      oldest = std::min(oldest.value_or(s.integer(0)), s.integer(0));
    }
  }
  return oldest;
}

}  // namespace

Result<RetentionReport> ProbeStore::apply_retention(const RetentionSettings& settings,
                                                    WallTime now) {
  if (read_only_) return error_text(path_ + ": opened for reading only");
  RetentionReport report;
  try {
    sqlite::exec(db_, "BEGIN IMMEDIATE");
    try {
      std::int64_t ok_cutoff = unix_ms(now - settings.max_age);
      std::int64_t all_cutoff = unix_ms(now - settings.failure_max_age);
      report.deleted_by_age = delete_probes(*cache_, db_, ok_cutoff, true) +
                              delete_probes(*cache_, db_, all_cutoff, false);
      Statement& mtu = cache_->statement(db_, "DELETE FROM mtu WHERE at_ms<?1");
      mtu.bind(1, all_cutoff).run();
      for (const char* table : {"health", "diagnoses"}) {
        Statement& ended = cache_->statement(
            db_, std::string("DELETE FROM ") + table + " WHERE to_ms IS NOT NULL AND to_ms<?1");
        ended.bind(1, all_cutoff).run();
      }
      sqlite::exec(db_, "COMMIT");
    } catch (const sqlite::Failure&) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
    // Then by size: the oldest share of the time covered that makes the pages fit, ok probes
    // before failures, in steps (the size of what a deletion frees is only known after it).
    // Each step is its own transaction; at most 16, each deleting a tenth more at least.
    for (int step = 0; step < 16 && used_bytes() > settings.max_bytes; ++step) {
      auto oldest = oldest_probe(*cache_, db_);
      if (!oldest) break;
      double excess =
          1.0 - static_cast<double>(settings.max_bytes) * 0.9 / static_cast<double>(used_bytes());
      double share = std::clamp(excess, 0.1, 1.0);
      std::int64_t span = std::max<std::int64_t>(unix_ms(now) - *oldest, 1);
      std::int64_t cutoff = *oldest + static_cast<std::int64_t>(static_cast<double>(span) * share);
      sqlite::exec(db_, "BEGIN IMMEDIATE");
      std::uint64_t deleted = delete_probes(*cache_, db_, cutoff, true);
      if (deleted == 0) deleted = delete_probes(*cache_, db_, cutoff, false);
      sqlite::exec(db_, "COMMIT");
      report.deleted_by_size += deleted;
    }
    // Give the freed pages back to the file system.
    if (report.deleted_by_age + report.deleted_by_size > 0) {
      sqlite::exec(db_, "PRAGMA incremental_vacuum");
    }
  } catch (const sqlite::Failure& f) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return in_context("cannot apply the history's retention to " + path_ + ": ",
                      sqlite::to_error(f));
  }
  return report;
}

}  // namespace proxywatch
