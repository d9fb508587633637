// Metrics, what each series set exports (metric_options.h, docs/metrics.md "Series sets"): the
// lean default (phase gauges, counters as they occur, nothing another series says), the full set
// (every outcome, stalls, throughput) and the opt-in latency histograms whose buckets end at each
// phase's deadline.
#include <chrono>
#include <optional>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "common/output/metrics/metrics.h"
#include "tests/unit/output/metrics/metrics_text.h"

namespace proxywatch {
namespace {

const std::string kPhaseGauge = "proxywatch_probe_phase_duration_seconds";

// The per-target series of `text`: lines with the pair's labels.
std::set<std::string> pair_series(const std::string& text) {
  std::set<std::string> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    // Labels are sorted by name: target_info's service comes between proxy and target.
    if (line.starts_with("#") || line.find(std::string("proxy=\"") + kProxy) == line.npos ||
        line.find(std::string("target=\"") + kTarget) == line.npos) {
      continue;
    }
    out.insert(line.substr(0, line.rfind(' ')));
  }
  return out;
}

TEST(MetricsSeriesSetTest, LeanPhaseGaugesHoldTheLastProbeAndAppearWhenAPhaseIsFirstReached) {
  Metrics m;
  m.record_probe(kProxy, kTarget, ok_result());
  std::string text = m.serialize();
  EXPECT_EQ(value_of(text, series(kPhaseGauge, "phase=\"tls_handshake\"")), 0.2);
  EXPECT_EQ(value_of(text, series(kPhaseGauge, "phase=\"tcp_connect\"")), 0.003);
  // Never reached (an IP proxy, no request): no series, and no reset counter for it either.
  EXPECT_EQ(lines_with(text, "phase=\"dns\""), 0);
  EXPECT_EQ(lines_with(text, "phase=\"transfer\""), 0);
  m.record_probe(kProxy, kTarget, failed_result(Outcome::kProxyStalled, Phase::kProxyConnect));
  text = m.serialize();
  // The failing phase holds its time until it failed; a phase the probe did not reach, 0.
  EXPECT_EQ(value_of(text, series(kPhaseGauge, "phase=\"proxy_connect\"")), 4.0);
  EXPECT_EQ(value_of(text, series(kPhaseGauge, "phase=\"tls_handshake\"")), 0);
  EXPECT_EQ(value_of(text, series(kPhaseGauge, "phase=\"tcp_connect\"")), 0.001);
  // No histograms, stalls or throughput by default.
  EXPECT_EQ(lines_with(text, "proxywatch_probe_phase_latency_seconds"), 2);  // HELP, TYPE
  EXPECT_EQ(lines_with(text, "proxywatch_stalls_total{"), 0);
  EXPECT_EQ(lines_with(text, "proxywatch_probe_throughput_bytes_per_second{"), 0);
}

TEST(MetricsSeriesSetTest, LeanOutcomeCountersStartWithOkAndAddEachFailureAsItOccurs) {
  Metrics m;
  const std::string name = "proxywatch_probes_total";
  m.record_probe(kProxy, kTarget, ok_result());
  std::string text = m.serialize();
  EXPECT_EQ(value_of(text, series(name, "outcome=\"ok\"")), 1);
  EXPECT_EQ(lines_with(text, name + "{"), 1);
  m.record_probe(kProxy, kTarget, failed_result(Outcome::kProxyDenied, Phase::kProxyConnect));
  m.record_probe(kProxy, kTarget, failed_result(Outcome::kProxyDenied, Phase::kProxyConnect));
  text = m.serialize();
  EXPECT_EQ(value_of(text, series(name, "outcome=\"proxy_denied\"")), 2);
  EXPECT_EQ(value_of(text, series(name, "outcome=\"tls_reset\"")), std::nullopt);
  EXPECT_EQ(lines_with(text, name + "{"), 2);
}

TEST(MetricsSeriesSetTest, FullSetHasEveryOutcomeStallsByPhaseAndThroughput) {
  Metrics m;
  m.set_options({.series = SeriesSet::kFull});
  m.record_probe(kProxy, kTarget, ok_result());
  m.record_probe(kProxy, kTarget, failed_result(Outcome::kTlsStalled, Phase::kTlsHandshake));
  m.record_probe(kProxy, kTarget, failed_result(Outcome::kTlsStalled, Phase::kTlsHandshake));
  m.record_probe(kProxy, kTarget, failed_result(Outcome::kHttpStalled, Phase::kTransfer));
  // Not a stall: refused is an answer, not silence.
  m.record_probe(kProxy, kTarget, failed_result(Outcome::kTcpRefused, Phase::kTcpConnect));
  const std::string text = m.serialize();
  EXPECT_EQ(lines_with(text, "proxywatch_probes_total{"), static_cast<int>(kAllOutcomes.size()));
  EXPECT_EQ(value_of(text, series("proxywatch_probes_total", "outcome=\"tls_reset\"")), 0);
  const std::string stalls = "proxywatch_stalls_total";
  EXPECT_EQ(value_of(text, series(stalls, "phase=\"tls_handshake\"")), 2);
  EXPECT_EQ(value_of(text, series(stalls, "phase=\"transfer\"")), 1);
  EXPECT_EQ(value_of(text, series(stalls, "phase=\"tcp_connect\"")), 0);
  EXPECT_EQ(value_of(text, series(stalls, "phase=\"dns\"")), 0);
  EXPECT_EQ(lines_with(text, "proxywatch_probe_throughput_bytes_per_second{"), 1);
}

TEST(MetricsSeriesSetTest, HistogramsObserveCompletedPhasesUpToEachPhasesDeadline) {
  Metrics m;
  m.set_options({.histograms = true});
  PhaseTimeouts timeouts;  // dns 5 s, tls_handshake 10 s, transfer 60 s
  timeouts.tls_handshake = Millis(7'000);
  m.set_phase_timeouts(kProxy, kTarget, timeouts);
  ProbeResult slow = ok_result();
  slow.phases[static_cast<size_t>(Phase::kTransfer)] = Seconds(45.0);
  m.record_probe(kProxy, kTarget, slow);
  m.record_probe(kProxy, kTarget, failed_result(Outcome::kTlsStalled, Phase::kTlsHandshake));
  const std::string text = m.serialize();
  const std::string name = "proxywatch_probe_phase_latency_seconds";
  // tcp_connect completed in both probes: 3 ms and 1 ms.
  EXPECT_EQ(value_of(text, series(name + "_count", "phase=\"tcp_connect\"")), 2);
  EXPECT_EQ(value_of(text, bucket("tcp_connect", "0.001")), 1);
  EXPECT_EQ(value_of(text, bucket("tcp_connect", "0.005")), 2);
  // tls_handshake: the ok probe's 0.2 s only; the stalled one's 4 s until its deadline is not a
  // latency and stays out. Its buckets end at its 7 s deadline.
  EXPECT_EQ(value_of(text, series(name + "_count", "phase=\"tls_handshake\"")), 1);
  EXPECT_DOUBLE_EQ(*value_of(text, series(name + "_sum", "phase=\"tls_handshake\"")), 0.2);
  EXPECT_EQ(value_of(text, bucket("tls_handshake", "0.25")), 1);
  EXPECT_EQ(value_of(text, bucket("tls_handshake", "7")), 1);
  EXPECT_EQ(value_of(text, bucket("tls_handshake", "10")), std::nullopt);
  EXPECT_EQ(lines_with(text, name + "_bucket{le=\"5\",phase=\"tls_handshake\""), 0);
  // transfer's end at 60 s: 45 s lands in the last finite bucket.
  EXPECT_EQ(value_of(text, bucket("transfer", "30")), 0);
  EXPECT_EQ(value_of(text, bucket("transfer", "60")), 1);
  EXPECT_EQ(value_of(text, bucket("transfer", "120")), std::nullopt);
  EXPECT_EQ(value_of(text, bucket("transfer", "+Inf")), 1);
  // The phase gauges stay beside them.
  EXPECT_EQ(value_of(text, series(kPhaseGauge, "phase=\"transfer\"")), 0);
}

TEST(MetricsSeriesSetTest, NewDeadlinesStartTheHistogramsAfresh) {
  Metrics m;
  m.set_options({.histograms = true});
  PhaseTimeouts timeouts;
  m.set_phase_timeouts(kProxy, kTarget, timeouts);
  m.record_probe(kProxy, kTarget, ok_result());
  timeouts.tls_handshake = Millis(3'000);
  m.set_phase_timeouts(kProxy, kTarget, timeouts);
  std::string text = m.serialize();
  EXPECT_EQ(lines_with(text, "proxywatch_probe_phase_latency_seconds_count{"), 0);
  m.record_probe(kProxy, kTarget, ok_result());
  text = m.serialize();
  EXPECT_EQ(value_of(text, bucket("tls_handshake", "3")), 1);
  EXPECT_EQ(value_of(text, bucket("tls_handshake", "10")), std::nullopt);
}

TEST(MetricsSeriesSetTest, ChangingTheSetReplacesEveryPairsSeriesWithTheNewSet) {
  Metrics m;
  m.set_options({.series = SeriesSet::kFull, .histograms = true});
  m.record_probe(kProxy, kTarget, ok_result());
  m.record_probe(kProxy, "other:443", ok_result());
  const std::size_t full = pair_series(m.serialize()).size();
  m.set_options({});
  EXPECT_EQ(pair_series(m.serialize()).size(), 0u) << "the old set's series are gone";
  m.record_probe(kProxy, kTarget, ok_result());
  const std::set<std::string> lean = pair_series(m.serialize());
  EXPECT_LT(lean.size(), full / 3);
  EXPECT_FALSE(lean.empty());
  // Setting the same options again keeps everything.
  m.set_options({});
  EXPECT_EQ(pair_series(m.serialize()), lean);
}

// The lean set of a healthy probe through a proxy given by name, with a request: every phase
// reached, TCP and TLS measured. The daemon adds the tracker's 9 and target_info, interval
// (DaemonSeriesTest counts the whole through a running daemon).
TEST(MetricsSeriesSetTest, AHealthyProbeWithEveryPhaseHasTwentyNineProbeSeries) {
  Metrics m;
  ProbeResult r = ok_result();
  r.phases[static_cast<size_t>(Phase::kDns)] = Seconds(0.001);
  r.phases[static_cast<size_t>(Phase::kHttpFirstByte)] = Seconds(0.01);
  r.phases[static_cast<size_t>(Phase::kTransfer)] = Seconds(0.001);
  m.set_probe_interval(kProxy, kTarget, std::chrono::seconds(60));
  m.set_target_info(kProxy, kTarget, "licensing", "tools.cisco.com:443");
  m.record_probe(kProxy, kTarget, r);
  const std::set<std::string> all = pair_series(m.serialize());
  std::string listed;
  for (const std::string& s : all) listed += s + "\n";
  // success, duration, 6 phases, last_completed, interval, target_info, last_outcome_info,
  // probes_total{ok}, confirmation_probes_total, connect and http status, body bytes, rtt, retransmits, 2 MSS, PMTU,
  // certificate expiry, tls_info, 5 resets (every phase but dns).
  EXPECT_EQ(all.size(), 29u) << listed;
}

// Families of more pairs than one chunk (256) are written a chunk at a time: still one HELP and
// one TYPE line a family, every pair's series under it, the families in one piece each.
TEST(MetricsSeriesSetTest, ManyPairsAreWrittenAsWholeFamiliesWithOneHeadEach) {
  Metrics m;
  constexpr int kPairs = 700;
  for (int i = 0; i < kPairs; ++i) m.record_probe(kProxy, "t" + std::to_string(i), ok_result());
  std::size_t pieces = 0;
  std::string text;
  m.write([&](std::string_view piece) {
    ++pieces;
    text.append(piece);
  });
  EXPECT_GT(pieces, 1u) << "written in pieces";
  EXPECT_EQ(lines_with(text, "# HELP proxywatch_probe_success "), 1);
  EXPECT_EQ(lines_with(text, "# TYPE proxywatch_probe_success gauge"), 1);
  EXPECT_EQ(lines_with(text, "# TYPE proxywatch_tcp_mss_bytes gauge"), 1);
  EXPECT_EQ(lines_with(text, "proxywatch_probe_success{"), kPairs);
  EXPECT_EQ(lines_with(text, "proxywatch_tcp_mss_bytes{"), 2 * kPairs);
  // Each family's lines are contiguous: the name never comes back after another family's.
  std::istringstream lines(text);
  std::set<std::string> done;
  std::string current;
  for (std::string line; std::getline(lines, line);) {
    std::string name = line.starts_with("# ") ? line.substr(7, line.find(' ', 7) - 7)
                                              : line.substr(0, line.find_first_of("{ "));
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      if (name.ends_with(suffix) && !line.starts_with("# "))
        name = name.substr(0, name.size() - std::string(suffix).size());
    }
    if (name == current) continue;
    EXPECT_FALSE(done.contains(name)) << name << " comes back after another family";
    done.insert(current);
    current = name;
  }
}

}  // namespace
}  // namespace proxywatch
