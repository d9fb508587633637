// The history's summary per pair and its text.
#include "daemon/history_text.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <map>

#include <fmt/format.h>

#include "common/escape.h"
#include "common/output/status/status_snapshot.h"

namespace proxywatch {
namespace {

using HistoryTextOut = std::back_insert_iterator<std::string>;

// What summarize_history gathers per pair before it has every probe.
struct HistoryPairTally {
  PairSummary summary;
  std::array<std::size_t, kAllOutcomes.size()> outcomes{};
  std::vector<double> passed{};
};

// The p-th percentile (nearest rank) of `sorted`, which is not empty.
double history_percentile(const std::vector<double>& sorted, double p) {
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

PairSummary finish_pair_tally(HistoryPairTally tally) {
  PairSummary s = std::move(tally.summary);
  for (Outcome o : kAllOutcomes) {
    std::size_t n = tally.outcomes[static_cast<std::size_t>(o)];
    if (n > 0) s.outcomes.emplace_back(o, n);
  }
  if (!tally.passed.empty()) {
    std::sort(tally.passed.begin(), tally.passed.end());
    s.median_seconds = history_percentile(tally.passed, 50);
    s.p95_seconds = history_percentile(tally.passed, 95);
  }
  return s;
}

// "2026-12-04 02:03": utc_time without its seconds.
std::string history_utc_minute(WallTime at) {
  return utc_time(at).substr(0, 16);
}

// "182 ms", "0.4 ms", "1.2 s".
std::string history_seconds_text(double seconds) {
  if (seconds >= 1) return fmt::format("{:.1f} s", seconds);
  if (seconds >= 0.001) return fmt::format("{:.0f} ms", seconds * 1000);
  return fmt::format("{:.1f} ms", seconds * 1000);
}

// "from – to UTC (span)" of a closed interval, or "since from UTC (span until now)".
std::string history_span_text(WallTime from, const std::optional<WallTime>& to, WallTime now) {
  if (!to) return fmt::format("since {} UTC ({})", history_utc_minute(from), age_text(from, now));
  return fmt::format("{} – {} UTC ({})", history_utc_minute(from), history_utc_minute(*to),
                     age_text(from, *to));
}

bool history_overlaps(WallTime from, const std::optional<WallTime>& to, WallTime other_from,
                      const std::optional<WallTime>& other_to) {
  return from < other_to.value_or(WallTime::max()) && other_from < to.value_or(WallTime::max());
}

// ", diagnosis acl_block, flapping" for a health interval that is not healthy: the diagnoses
// active during it.
std::string history_diagnoses_during(const PairSummary& s, const HealthInterval& h) {
  if (h.state == HealthState::kHealthy || h.state == HealthState::kUnknown) return "";
  std::string names;
  for (const DiagnosisInterval& d : s.diagnoses) {
    if (!history_overlaps(h.from, h.to, d.from, d.to)) continue;
    std::string_view name = to_string(d.diagnosis);
    if (names.find(name) != std::string::npos) continue;
    names += fmt::format("{}{}", names.empty() ? "" : ", ", name);
  }
  return names.empty() ? "" : ", diagnosis " + names;
}

// The last kHistoryTextIntervals of `items`, after a line saying how many were left out.
template <class T>
std::size_t history_first_shown(HistoryTextOut out, const std::vector<T>& items,
                                std::string_view what) {
  if (items.size() <= kHistoryTextIntervals) return 0;
  std::size_t skipped = items.size() - kHistoryTextIntervals;
  fmt::format_to(out, "  {:<11}({} earlier {} not shown: --json lists them)\n", what, skipped,
                 what);
  return skipped;
}

void write_history_health(HistoryTextOut out, const PairSummary& s, WallTime now) {
  if (s.health.empty()) return;
  std::size_t first = history_first_shown(out, s.health, "health");
  for (std::size_t i = first; i < s.health.size(); ++i) {
    const HealthInterval& h = s.health[i];
    fmt::format_to(out, "  {:<11}{} {}{}\n", i == first ? "health" : "", to_string(h.state),
                   history_span_text(h.from, h.to, now), history_diagnoses_during(s, h));
  }
}

void write_history_diagnoses(HistoryTextOut out, const PairSummary& s, WallTime now) {
  if (s.diagnoses.empty()) return;
  std::size_t first = history_first_shown(out, s.diagnoses, "diagnoses");
  for (std::size_t i = first; i < s.diagnoses.size(); ++i) {
    const DiagnosisInterval& d = s.diagnoses[i];
    std::string why = d.to ? "cleared: " + d.cleared_why : "active: " + d.evidence.summary;
    fmt::format_to(out, "  {:<11}{} {}, {}\n", i == first ? "diagnoses" : "",
                   to_string(d.diagnosis), history_span_text(d.from, d.to, now),
                   escape_control(why, 2000));
  }
}

void write_history_failures(HistoryTextOut out, const PairSummary& s, const HistoryReport& report) {
  if (s.failures == 0) return;
  fmt::format_to(out, "  failures\n");
  for (const ProbeRecord& p : report.probes) {
    if (p.ok() || p.proxy != s.proxy || p.target != s.target) continue;
    fmt::format_to(out, "    {} UTC  {}  {}  {}{}\n", utc_time(p.at), to_string(p.outcome),
                   p.phase ? to_string(*p.phase) : "-", p.confirmation ? "(confirmation) " : "",
                   escape_control(p.diagnosis, 2000));
  }
}

void write_history_pair(HistoryTextOut out, const PairSummary& s, const HistoryReport& report,
                        WallTime now, bool failures) {
  fmt::format_to(out, "\nproxy {}  target {}  ({})\n", escape_control(s.proxy),
                 escape_control(s.target), to_string(s.service));
  double share =
      s.probes ? 100.0 * static_cast<double>(s.failures) / static_cast<double>(s.probes) : 0.0;
  fmt::format_to(
      out, "  {:<11}{}, {} failed ({:.1f} %){}\n", "probes", s.probes, s.failures, share,
      s.confirmations ? fmt::format(", {} of them confirmations", s.confirmations) : std::string());
  if (!s.outcomes.empty()) {
    std::string counts;
    for (auto [outcome, n] : s.outcomes) {
      counts += fmt::format("{}{}={}", counts.empty() ? "" : " ", to_string(outcome), n);
    }
    fmt::format_to(out, "  {:<11}{}\n", "outcomes", counts);
  }
  if (s.median_seconds) {
    fmt::format_to(out, "  {:<11}median {}, p95 {} (probes that passed)\n", "duration",
                   history_seconds_text(*s.median_seconds), history_seconds_text(*s.p95_seconds));
  }
  write_history_health(out, s, now);
  write_history_diagnoses(out, s, now);
  if (failures) write_history_failures(out, s, report);
}

}  // namespace

std::vector<PairSummary> summarize_history(const HistoryReport& report) {
  std::vector<HistoryPairTally> tallies;
  std::map<std::pair<std::string, std::string>, std::size_t> index;
  auto tally = [&](const std::string& proxy, const std::string& target,
                   Service service) -> HistoryPairTally& {
    auto [it, added] = index.try_emplace({proxy, target}, tallies.size());
    if (added)
      tallies.push_back({.summary = {.proxy = proxy, .target = target, .service = service}});
    return tallies[it->second];
  };
  for (const auto& pair : report.pairs) tally(pair.proxy, pair.target, pair.service);
  for (const ProbeRecord& p : report.probes) {
    HistoryPairTally& t = tally(p.proxy, p.target, p.service);
    ++t.summary.probes;
    if (p.confirmation) ++t.summary.confirmations;
    ++t.outcomes[static_cast<std::size_t>(p.outcome)];
    if (p.ok()) {
      t.passed.push_back(p.total_seconds());
    } else {
      ++t.summary.failures;
    }
  }
  for (const HealthInterval& h : report.health) {
    if (auto it = index.find({h.proxy, h.target}); it != index.end()) {
      tallies[it->second].summary.health.push_back(h);
    }
  }
  for (const DiagnosisInterval& d : report.diagnoses) {
    if (auto it = index.find({d.proxy, d.target}); it != index.end()) {
      tallies[it->second].summary.diagnoses.push_back(d);
    }
  }
  std::vector<PairSummary> out;
  for (HistoryPairTally& t : tallies) {
    const PairSummary& s = t.summary;
    if (s.probes == 0 && s.health.empty() && s.diagnoses.empty()) continue;
    out.push_back(finish_pair_tally(std::move(t)));
  }
  return out;
}

std::string format_history_text(const HistoryReport& report, const std::string& source,
                                WallTime now, bool failures) {
  std::string text;
  HistoryTextOut out(text);
  const HistoryQuery& q = report.query;
  fmt::format_to(out, "history of {} from {} to {} UTC ({})\n", escape_control(source),
                 history_utc_minute(q.from), history_utc_minute(q.to), age_text(q.from, q.to));
  if (report.truncated) {
    fmt::format_to(out,
                   "only the newest {} probes were read: the figures cover them alone (narrow "
                   "the range or filter by --target)\n",
                   report.probes.size());
  }
  std::vector<PairSummary> pairs = summarize_history(report);
  if (pairs.empty()) {
    fmt::format_to(out, "\nno probes and no health changes in this range{}\n",
                   q.target.empty() && q.proxy.empty() && !q.service ? "" : " for these filters");
  }
  for (const PairSummary& s : pairs) write_history_pair(out, s, report, now, failures);
  return text;
}

}  // namespace proxywatch
