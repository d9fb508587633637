// Reading the probe store: probes, chart points, intervals, MTU verdicts and tracker states.
// Every query runs pair by pair on the tables' (pair, time) keys and merges by time.
#include <algorithm>

#include <fmt/format.h>
#include <boost/json/parse.hpp>

#include "common/output/json/history_json.h"
#include "common/output/store/probe_store.h"
#include "common/output/store/probe_store_cache.h"
#include "common/output/store/state_file.h"

namespace proxywatch {
namespace {

using sqlite::Statement;

// The pairs `query` selects.
std::vector<std::pair<std::int64_t, ProbeStore::PairInfo>> selected_pairs(
    ProbeStore::Cache& cache, sqlite3* db, const HistoryQuery& query) {
  // One pair named whole (the restore of 10,000 windows): found by its key, not by a scan.
  const bool one = !query.proxy.empty() && !query.target.empty();
  Statement& s = cache.statement(db, one ? "SELECT id, proxy, target, service FROM pairs "
                                           "WHERE proxy=?1 AND target=?2"
                                         : "SELECT id, proxy, target, service FROM pairs "
                                           "ORDER BY proxy, target");
  if (one) s.bind(1, query.proxy).bind(2, query.target);
  sqlite::Resetting done(s);
  std::vector<std::pair<std::int64_t, ProbeStore::PairInfo>> pairs;
  while (s.step()) {
    ProbeStore::PairInfo info{s.text(1), s.text(2),
                              service_from_string(s.text(3)).value_or(Service::kCustom)};
    if (!query.proxy.empty() && info.proxy != query.proxy) continue;
    if (!query.target.empty() && info.target != query.target) continue;
    if (query.service && info.service != *query.service) continue;
    pairs.emplace_back(s.integer(0), std::move(info));
  }
  return pairs;
}

template <class T>
Result<T> reading(const std::string& path, auto&& body) {
  try {
    return body();
  } catch (const sqlite::Failure& f) {
    return in_context("cannot read the history in " + path + ": ", sqlite::to_error(f));
  } catch (const std::exception& e) {
    // A row this build cannot read (a hand-edited database): its text says which.
    return error_text(fmt::format("cannot read the history in {}: {}", path, e.what()));
  }
}

// Whether the database has version 2's probes.confirmation (one opened read-only is not
// migrated: a version 1 database has none).
bool has_confirmation_column(sqlite3* db) {
  Statement s(db, "PRAGMA user_version");
  sqlite::Resetting done(s);
  return s.step() && s.integer(0) >= 2;
}

std::string probe_select(bool points, bool failures_only, bool newest_first,
                         bool confirmation = false) {
  std::string columns =
      points ? "at_ms, outcome"
             : "at_ms, outcome, phase, connect_status, http_status, bytes, peer_close, reset, "
               "(SELECT text FROM texts WHERE id=tls_version), "
               "(SELECT text FROM texts WHERE id=tls_issuer), rtt_us, rttvar_us, retransmits, "
               "snd_mss, rcv_mss, pmtu, diagnosis";
  for (Phase p : kAllPhases) columns += fmt::format(", {}_us", to_string(p));
  if (confirmation) columns += ", confirmation";
  return fmt::format(
      "SELECT {} FROM probes WHERE pair=?1 AND at_ms>=?2 AND at_ms<?3{} ORDER BY at_ms{} "
      "LIMIT ?4",
      columns, failures_only ? " AND outcome!='ok'" : "", newest_first ? " DESC" : "");
}

std::int64_t limit_of(const HistoryQuery& query) {
  return query.limit == 0 ? -1 : static_cast<std::int64_t>(query.limit);
}

template <class Row>
void keep_newest(std::vector<Row>& rows, std::size_t limit) {
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.at < b.at; });
  if (limit != 0 && rows.size() > limit) {
    rows.erase(rows.begin(), rows.end() - static_cast<std::ptrdiff_t>(limit));
  }
}

ProbeRecord read_probe(const Statement& s, const ProbeStore::PairInfo& pair) {
  ProbeRecord r;
  r.at = from_unix_ms(s.integer(0));
  r.proxy = pair.proxy;
  r.target = pair.target;
  r.service = pair.service;
  std::string outcome = s.text(1);
  auto known = outcome_from_string(outcome);
  if (!known) throw std::runtime_error(fmt::format("unknown outcome '{}'", outcome));
  r.outcome = *known;
  if (!s.is_null(2)) r.phase = phase_from_string(s.text(2));
  r.connect_status = static_cast<unsigned>(s.optional_integer(3).value_or(0));
  r.http_status = static_cast<unsigned>(s.optional_integer(4).value_or(0));
  r.bytes = static_cast<std::uint64_t>(s.optional_integer(5).value_or(0));
  std::string close = s.text(6);
  r.peer_close = close == "fin"   ? PeerClose::kFin
                 : close == "rst" ? PeerClose::kRst
                                  : PeerClose::kNotSeen;
  r.reset = s.integer(7) != 0;
  r.tls_version = s.text(8);
  r.tls_issuer = s.text(9);
  if (!s.is_null(10)) {
    auto u32 = [&](int column) { return static_cast<std::uint32_t>(s.integer(column)); };
    r.tcp = TcpInfo{.rtt_us = u32(10),
                    .rttvar_us = u32(11),
                    .retransmits = u32(12),
                    .snd_mss = u32(13),
                    .rcv_mss = u32(14),
                    .pmtu = u32(15)};
  }
  r.diagnosis = s.text(16);
  for (std::size_t i = 0; i < kAllPhases.size(); ++i) {
    r.phase_us[i] = s.optional_integer(17 + static_cast<int>(i));
  }
  constexpr int kConfirmationColumn = 17 + static_cast<int>(kAllPhases.size());
  r.confirmation = s.column_count() > kConfirmationColumn && s.integer(kConfirmationColumn) != 0;
  return r;
}

std::optional<WallTime> optional_time(const Statement& s, int column) {
  if (s.is_null(column)) return std::nullopt;
  return from_unix_ms(s.integer(column));
}

std::int64_t to_ms(WallTime t) {
  // WallTime::max() (the default `to`) as the largest millisecond.
  if (t == WallTime::max()) return std::numeric_limits<std::int64_t>::max();
  return unix_ms(t);
}

}  // namespace

Result<std::vector<ProbeRecord>> ProbeStore::probes(const HistoryQuery& query) const {
  return reading<std::vector<ProbeRecord>>(path_, [&] {
    std::vector<ProbeRecord> rows;
    Statement& s = cache_->statement(
        db_, probe_select(false, query.failures_only, query.limit, has_confirmation_column(db_)));
    for (const auto& [id, pair] : selected_pairs(*cache_, db_, query)) {
      s.bind(1, id).bind(2, to_ms(query.from)).bind(3, to_ms(query.to)).bind(4, limit_of(query));
      sqlite::Resetting done(s);
      while (s.step()) rows.push_back(read_probe(s, pair));
    }
    keep_newest(rows, query.limit);
    return rows;
  });
}

Result<std::vector<ProbePoint>> ProbeStore::points(const HistoryQuery& query) const {
  return reading<std::vector<ProbePoint>>(path_, [&] {
    std::vector<ProbePoint> rows;
    Statement& s = cache_->statement(db_, probe_select(true, query.failures_only, query.limit));
    for (const auto& [id, pair] : selected_pairs(*cache_, db_, query)) {
      s.bind(1, id).bind(2, to_ms(query.from)).bind(3, to_ms(query.to)).bind(4, limit_of(query));
      sqlite::Resetting done(s);
      while (s.step()) {
        std::int64_t us = 0;
        for (std::size_t i = 0; i < kAllPhases.size(); ++i) {
          us += s.optional_integer(2 + static_cast<int>(i)).value_or(0);
        }
        rows.push_back(ProbePoint{from_unix_ms(s.integer(0)), s.text(1) == "ok",
                                  static_cast<double>(us) / 1e6});
      }
    }
    keep_newest(rows, query.limit);
    return rows;
  });
}

Result<std::vector<HealthInterval>> ProbeStore::health(const HistoryQuery& query) const {
  return reading<std::vector<HealthInterval>>(path_, [&] {
    std::vector<HealthInterval> rows;
    Statement& s = cache_->statement(db_,
                                     "SELECT from_ms, to_ms, state FROM health WHERE pair=?1 AND "
                                     "from_ms<?3 AND (to_ms IS NULL OR to_ms>?2) ORDER BY from_ms");
    for (const auto& [id, pair] : selected_pairs(*cache_, db_, query)) {
      s.bind(1, id).bind(2, to_ms(query.from)).bind(3, to_ms(query.to));
      sqlite::Resetting done(s);
      while (s.step()) {
        auto state = health_state_from_string(s.text(2));
        if (!state) throw std::runtime_error("unknown health state '" + s.text(2) + "'");
        rows.push_back(
            {pair.proxy, pair.target, *state, from_unix_ms(s.integer(0)), optional_time(s, 1)});
      }
    }
    std::stable_sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.from < b.from; });
    return rows;
  });
}

Result<std::vector<DiagnosisInterval>> ProbeStore::diagnoses(const HistoryQuery& query) const {
  return reading<std::vector<DiagnosisInterval>>(path_, [&] {
    std::vector<DiagnosisInterval> rows;
    Statement& s = cache_->statement(
        db_,
        "SELECT diagnosis, from_ms, to_ms, evidence, cleared_why FROM diagnoses WHERE pair=?1 "
        "AND from_ms<?3 AND (to_ms IS NULL OR to_ms>?2) ORDER BY from_ms");
    for (const auto& [id, pair] : selected_pairs(*cache_, db_, query)) {
      s.bind(1, id).bind(2, to_ms(query.from)).bind(3, to_ms(query.to));
      sqlite::Resetting done(s);
      while (s.step()) {
        auto diagnosis = diagnosis_from_string(s.text(0));
        if (!diagnosis) throw std::runtime_error("unknown diagnosis '" + s.text(0) + "'");
        rows.push_back({pair.proxy, pair.target, *diagnosis, from_unix_ms(s.integer(1)),
                        optional_time(s, 2),
                        evidence_from_json(boost::json::parse(s.text(3)).as_object()), s.text(4)});
      }
    }
    std::stable_sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.from < b.from; });
    return rows;
  });
}

Result<std::vector<MtuRecord>> ProbeStore::mtu(const HistoryQuery& query) const {
  return reading<std::vector<MtuRecord>>(path_, [&] {
    std::vector<MtuRecord> rows;
    Statement& s = cache_->statement(db_,
                                     "SELECT at_ms, verdict, detail FROM mtu WHERE pair=?1 AND "
                                     "at_ms>=?2 AND at_ms<?3 ORDER BY at_ms");
    for (const auto& [id, pair] : selected_pairs(*cache_, db_, query)) {
      s.bind(1, id).bind(2, to_ms(query.from)).bind(3, to_ms(query.to));
      sqlite::Resetting done(s);
      while (s.step()) {
        rows.push_back({from_unix_ms(s.integer(0)), pair.proxy, pair.target, s.text(1), s.text(2)});
      }
    }
    keep_newest(rows, 0);
    return rows;
  });
}

Result<std::vector<PairState>> ProbeStore::pair_states(const HealthSettings& settings,
                                                       WallTime now) const {
  auto states = reading<std::vector<PairState>>(path_, [&] {
    std::vector<PairState> list;
    Statement& s = cache_->statement(db_, "SELECT state FROM pair_state ORDER BY pair");
    sqlite::Resetting done(s);
    while (s.step()) {
      auto state = pair_state_from_json(s.text(0));
      if (!state) throw std::runtime_error("a saved tracker state: " + state.error().message);
      list.push_back(std::move(*state));
    }
    return list;
  });
  if (!states) return states;
  for (PairState& state : *states) {
    auto window = probes(HistoryQuery{.from = now - settings.window_duration,
                                      .proxy = state.proxy,
                                      .target = state.target,
                                      .limit = settings.window_probes});
    if (!window) return window.error();
    state.history.window = OutcomeWindow{};
    for (const ProbeRecord& r : *window) state.history.window.restore(to_sample(r));
  }
  return states;
}

Result<std::vector<ProbeStore::PairInfo>> ProbeStore::pairs() const {
  return reading<std::vector<PairInfo>>(path_, [&] {
    std::vector<PairInfo> list;
    for (auto& [id, pair] : selected_pairs(*cache_, db_, HistoryQuery{})) list.push_back(pair);
    return list;
  });
}

}  // namespace proxywatch
