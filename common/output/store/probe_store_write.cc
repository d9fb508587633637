// Writing to the probe store: a batch per transaction, and retention.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "common/output/json/history_json.h"
#include "common/output/store/probe_store.h"
#include "common/output/store/probe_store_cache.h"
#include "common/output/store/state_file.h"

#include <boost/json/serialize.hpp>

namespace proxywatch {
namespace {

using sqlite::Statement;

std::optional<std::int64_t> nonzero(std::uint64_t value) {
  if (value == 0) return std::nullopt;
  return static_cast<std::int64_t>(value);
}

// The id of `text` in `texts` (added when new); nullopt for an empty text.
std::optional<std::int64_t> text_id(sqlite3* db, ProbeStore::Cache& cache,
                                    const std::string& text) {
  if (text.empty()) return std::nullopt;
  if (auto known = cache.texts.find(text); known != cache.texts.end()) return known->second;
  Statement& s = cache.statement(
      db,
      "INSERT INTO texts(text) VALUES(?1) ON CONFLICT(text) DO UPDATE SET text=text "
      "RETURNING id");
  s.bind(1, text);
  sqlite::Resetting done(s);
  std::int64_t id = s.step() ? s.integer(0) : 0;
  cache.texts.emplace(text, id);
  return id;
}

// The row of the pair (added when new, its service updated when it changed).
ProbeStore::Cache::PairRow& pair_row(sqlite3* db, ProbeStore::Cache& cache,
                                     const std::string& proxy, const std::string& target,
                                     std::optional<Service> service) {
  PairKey key{proxy, target};
  auto known = cache.pairs.find(key);
  if (known != cache.pairs.end() && (!service || *service == known->second.service)) {
    return known->second;
  }
  // The service is known only from probes; other events keep what the row has.
  Statement& s = cache.statement(
      db, service ? "INSERT INTO pairs(proxy, target, service) VALUES(?1, ?2, ?3) "
                    "ON CONFLICT(proxy, target) DO UPDATE SET service=excluded.service "
                    "RETURNING id, service"
                  : "INSERT INTO pairs(proxy, target, service) VALUES(?1, ?2, 'custom') "
                    "ON CONFLICT(proxy, target) DO UPDATE SET service=service "
                    "RETURNING id, service");
  s.bind(1, proxy).bind(2, target);
  if (service) s.bind(3, to_string(*service));
  sqlite::Resetting done(s);
  ProbeStore::Cache::PairRow row;
  if (s.step()) {
    row.id = s.integer(0);
    row.service = service_from_string(s.text(1)).value_or(Service::kCustom);
  }
  if (known != cache.pairs.end()) {
    known->second.service = row.service;
    return known->second;
  }
  return cache.pairs.emplace(key, row).first->second;
}

// A later time than `last` for the same pair: (pair, at_ms) is a key.
std::int64_t after(std::int64_t& last, WallTime at) {
  last = std::max(unix_ms(at), last + 1);
  return last;
}

// The probes table's columns after (pair, at_ms), as probe_columns_sql() lists them: binds 3 to
// 24 below follow that order; 25 is version 2's confirmation column.
static_assert(kAllPhases.size() == 6, "the phase columns are binds 5 to 10");

void insert_probe(sqlite3* db, ProbeStore::Cache& cache, const ProbeRecord& r) {
  auto& row = pair_row(db, cache, r.proxy, r.target, r.service);
  static const std::string kInsert = [] {
    std::string sql = "INSERT OR REPLACE INTO probes VALUES(?1";
    for (int column = 2; column <= 25; ++column) sql += fmt::format(", ?{}", column);
    return sql + ")";
  }();
  Statement& s = cache.statement(db, kInsert);
  auto version = text_id(db, cache, r.tls_version);
  auto issuer = text_id(db, cache, r.tls_issuer);
  s.bind(1, row.id).bind(2, after(row.last_probe_ms, r.at)).bind(3, to_string(r.outcome));
  s.bind_text_or_null(4, r.phase ? to_string(*r.phase) : "");
  int i = 5;
  for (const auto& us : r.phase_us) s.bind(i++, us);
  s.bind(11, nonzero(r.connect_status)).bind(12, nonzero(r.http_status));
  s.bind(13, nonzero(r.bytes));
  s.bind_text_or_null(14, r.peer_close == PeerClose::kNotSeen ? "" : to_string(r.peer_close));
  s.bind(15, std::int64_t{r.reset}).bind(16, version).bind(17, issuer);
  i = 18;
  const TcpInfo* tcp = r.tcp ? &*r.tcp : nullptr;
  for (std::uint32_t TcpInfo::*field :
       {&TcpInfo::rtt_us, &TcpInfo::rttvar_us, &TcpInfo::retransmits, &TcpInfo::snd_mss,
        &TcpInfo::rcv_mss, &TcpInfo::pmtu}) {
    s.bind(i++, tcp ? std::optional<std::int64_t>(tcp->*field) : std::nullopt);
  }
  s.bind_text_or_null(24, r.ok() ? "" : r.diagnosis);
  s.bind(25, std::int64_t{r.confirmation});
  s.run();
}

void insert_health(sqlite3* db, ProbeStore::Cache& cache, const HealthChange& change) {
  auto& row = pair_row(db, cache, change.proxy, change.target, std::nullopt);
  std::int64_t at = unix_ms(change.at);
  Statement& close =
      cache.statement(db, "UPDATE health SET to_ms=?2 WHERE pair=?1 AND to_ms IS NULL");
  close.bind(1, row.id).bind(2, at).run();
  Statement& open = cache.statement(db, "INSERT OR REPLACE INTO health VALUES(?1, ?2, NULL, ?3)");
  open.bind(1, row.id).bind(2, at).bind(3, to_string(change.state)).run();
}

void insert_diagnosis(sqlite3* db, ProbeStore::Cache& cache, const DiagnosisEvent& event) {
  auto& row = pair_row(db, cache, event.proxy, event.target, std::nullopt);
  std::int64_t at = unix_ms(event.at);
  std::string_view name = to_string(event.diagnosis);
  // A raise while raised (mtu_suspected changing direction) ends the earlier interval.
  Statement& close = cache.statement(db,
                                     "UPDATE diagnoses SET to_ms=?3, cleared_why=?4 "
                                     "WHERE pair=?1 AND diagnosis=?2 AND to_ms IS NULL");
  close.bind(1, row.id).bind(2, name).bind(3, at);
  close.bind(4, event.raised ? std::string_view("raised again") : event.evidence.summary).run();
  if (!event.raised) return;
  Statement& open =
      cache.statement(db, "INSERT OR REPLACE INTO diagnoses VALUES(?1, ?2, ?3, NULL, ?4, NULL)");
  open.bind(1, row.id).bind(2, name).bind(3, at);
  open.bind(4, boost::json::serialize(evidence_json(event.evidence))).run();
}

void insert_mtu(sqlite3* db, ProbeStore::Cache& cache, const MtuRecord& r) {
  auto& row = pair_row(db, cache, r.proxy, r.target, std::nullopt);
  Statement& s = cache.statement(db, "INSERT OR REPLACE INTO mtu VALUES(?1, ?2, ?3, ?4)");
  s.bind(1, row.id).bind(2, after(row.last_mtu_ms, r.at)).bind(3, r.verdict).bind(4, r.detail);
  s.run();
}

void save_state(sqlite3* db, ProbeStore::Cache& cache, const PairState& state, std::int64_t now) {
  auto& row = pair_row(db, cache, state.proxy, state.target, std::nullopt);
  Statement& s = cache.statement(db, "INSERT OR REPLACE INTO pair_state VALUES(?1, ?2, ?3)");
  // The window is not saved: the probe rows hold it (pair_states() rebuilds it from them).
  PairState without_window{state.proxy, state.target, state.history};
  without_window.history.window = OutcomeWindow{};
  s.bind(1, row.id).bind(2, now).bind(3, pair_state_to_json(without_window)).run();
}

void drop_state(sqlite3* db, ProbeStore::Cache& cache, const PairKey& key) {
  Statement& s =
      cache.statement(db,
                      "DELETE FROM pair_state WHERE pair=(SELECT id FROM pairs WHERE proxy=?1 AND "
                      "target=?2)");
  s.bind(1, key.first).bind(2, key.second).run();
}

}  // namespace

std::string probe_columns_sql() {
  std::string columns = "outcome TEXT NOT NULL, phase TEXT";
  for (Phase p : kAllPhases) columns += fmt::format(", {}_us INTEGER", to_string(p));
  return columns +
         ", connect_status INTEGER, http_status INTEGER, bytes INTEGER, peer_close TEXT,"
         " reset INTEGER NOT NULL, tls_version INTEGER, tls_issuer INTEGER, rtt_us INTEGER,"
         " rttvar_us INTEGER, retransmits INTEGER, snd_mss INTEGER, rcv_mss INTEGER, pmtu INTEGER, "
         "diagnosis TEXT";
}

Sample to_sample(const ProbeRecord& record) {
  Sample sample{.at = record.at, .outcome = record.outcome, .phase = record.phase};
  // is_reset(): a failure the peer reset (an RST seen, or an outcome that is a reset).
  sample.reset = record.reset;
  sample.confirmation = record.confirmation;
  for (std::size_t i = 0; i < kAllPhases.size(); ++i) {
    if (record.phase_us[i]) {
      sample.phase_seconds[i] = static_cast<double>(*record.phase_us[i]) / 1e6;
    }
  }
  return sample;
}

ProbeRecord make_probe_record(std::string proxy, std::string target, Service service,
                              const ProbeResult& result, WallTime at) {
  ProbeRecord r{.at = at,
                .proxy = std::move(proxy),
                .target = std::move(target),
                .service = service,
                .outcome = result.outcome,
                .phase = result.phase,
                .connect_status = result.connect_status,
                .http_status = result.http_status,
                .bytes = result.bytes,
                .peer_close = result.peer_close,
                .reset = is_reset(result),
                .tls_version = result.tls.version,
                .tls_issuer = result.tls.issuer,
                .tcp = result.tcp(),
                .diagnosis = result.ok() ? std::string() : result.diagnosis,
                .confirmation = result.confirmation};
  for (std::size_t i = 0; i < kAllPhases.size(); ++i) {
    if (result.phases[i]) r.phase_us[i] = std::llround(result.phases[i]->count() * 1e6);
  }
  return r;
}

Result<void> ProbeStore::write(const StoreBatch& batch) {
  if (read_only_) return error_text(path_ + ": opened for reading only");
  if (batch.empty()) return {};
  // On failure the cache may hold ids of rows the rollback removed: it is rebuilt.
  try {
    sqlite::exec(db_, "BEGIN IMMEDIATE");
    try {
      for (const ProbeRecord& r : batch.probes) insert_probe(db_, *cache_, r);
      for (const MtuRecord& r : batch.mtu) insert_mtu(db_, *cache_, r);
      for (const HealthChange& c : batch.health) insert_health(db_, *cache_, c);
      for (const DiagnosisEvent& e : batch.diagnoses) insert_diagnosis(db_, *cache_, e);
      std::int64_t now = unix_ms(std::chrono::system_clock::now());
      for (const PairState& s : batch.states) save_state(db_, *cache_, s, now);
      for (const PairKey& k : batch.dropped) drop_state(db_, *cache_, k);
      sqlite::exec(db_, "COMMIT");
    } catch (const sqlite::Failure&) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  } catch (const sqlite::Failure& f) {
    cache_ = std::make_unique<Cache>();
    return in_context("cannot write the history to " + path_ + ": ", sqlite::to_error(f));
  }
  return {};
}

}  // namespace proxywatch
