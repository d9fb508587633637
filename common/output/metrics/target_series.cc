// The per-(proxy, target) row (target_series.h): what one ProbeResult sets, counts and
// replaces, series by series. How the row is written out is target_series_emit.cc.
#include "common/output/metrics/target_series.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>

namespace proxywatch {
namespace {

static_assert(kAllOutcomes.size() <= 32 && kPhaseSlots <= 32, "SlotSet holds 32 slots");

// A phase's latency buckets: the usual ladder up to its deadline, and the deadline itself as
// the last one, so every completed phase lands in a finite bucket and none is spent on
// durations the phase cannot have. Failed phases are not observed (record_phases()), so a
// deadline expiry never looks slow.
std::vector<double> latency_buckets(Millis deadline) {
  static constexpr std::array<double, 20> kLadder = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                     0.25,  0.5,    1,     2.5,  5,     10,   20,
                                                     30,    60,     120,   300,  600,   1800};
  const double end = std::chrono::duration<double>(deadline).count();
  std::vector<double> buckets;
  for (double bound : kLadder) {
    if (bound < end) buckets.push_back(bound);
  }
  buckets.push_back(end);
  return buckets;
}

std::size_t phase_slot(std::optional<Phase> phase) {
  return phase ? static_cast<std::size_t>(*phase) : kAllPhases.size();
}

// How the proxy's demand for authentication ended: the outcome's own result (kOutcomeTraits'
// `auth` column), else "ok" when credentials were sent; nullopt when the proxy made no demand.
std::optional<AuthResult> auth_result_of(const ProbeResult& result) {
  if (auto own = traits(result.outcome).auth) return own;
  if (!result.auth_scheme.empty()) return AuthResult::kOk;
  return std::nullopt;
}

}  // namespace

void LatencyHistogram::observe(double value) {
  const auto at = std::lower_bound(bounds.begin(), bounds.end(), value);
  ++counts[static_cast<std::size_t>(at - bounds.begin())];
  sum += value;
  ++count;
}

Metrics::TargetSeries::TargetSeries(const MetricOptions& o) : options(o) {
  // The lean set starts with `ok` (its first increment must show); a failure's counter appears
  // with that failure. The full set has every outcome, stall and reset series at 0.
  outcomes.add(static_cast<std::size_t>(Outcome::kOk));
  if (options.series != SeriesSet::kFull) return;
  for (std::size_t i = 0; i < kAllOutcomes.size(); ++i) outcomes.add(i);
  for (std::size_t i = 0; i < kAllPhases.size(); ++i) {
    stall_slots.add(i);
    reset_slots.add(i);
  }
}

void Metrics::TargetSeries::record(const ProbeResult& result) {
  record_outcome(result);
  last_completed = std::chrono::duration<double>(result.started.time_since_epoch()).count() +
                   result.total.count();
  record_phases(result);
  connect_status = result.connect_status;
  http_status = result.http_status;
  body_bytes = static_cast<double>(result.bytes);
  throughput = result.throughput_bytes_per_s;
  if (const auto& measured = result.tcp()) record_tcp(*measured);
  record_tls(result.tls);
  record_auth(result);
}

void Metrics::TargetSeries::record_outcome(const ProbeResult& result) {
  success = result.ok() ? 1 : 0;
  duration = result.total.count();
  const auto o = static_cast<std::size_t>(result.outcome);
  outcomes.add(o);
  ++probes[o];
  if (result.confirmation) ++confirmations;
  last_outcome = result.outcome;
  const std::size_t slot = phase_slot(result.phase);
  last_phase_slot = slot;
  // Stalls by phase say what probes_total{outcome} says (each stall outcome has its phase): the
  // full set only. A stall or reset without a phase would be an engine bug; it is counted under
  // "none", not lost.
  if (options.series == SeriesSet::kFull && is_stall(result.outcome)) {
    stall_slots.add(slot);
    ++stalls[slot];
  }
  if (is_reset(result)) {
    reset_slots.add(slot);
    ++resets[slot];
  }
}

void Metrics::TargetSeries::record_phases(const ProbeResult& result) {
  const std::size_t failed = result.ok() ? kAllPhases.size() : phase_slot(result.phase);
  for (std::size_t i = 0; i < kAllPhases.size(); ++i) {
    const std::optional<Seconds>& took = result.phases[i];
    // A phase's series appear when a probe first reaches it, so none is always zero; a reset
    // needs a connection, which the DNS phase does not have.
    if (took && !phases.has(i)) {
      phases.add(i);
      if (kAllPhases[i] != Phase::kDns) reset_slots.add(i);
    }
    phase_duration[i] = took ? took->count() : 0;
    // The failing phase's time is the time until it failed (often its deadline): no latency.
    if (!options.histograms || !took || i == failed) continue;
    if (!latency) latency = std::make_unique<Latency>();
    LatencyHistogram& h = latency->phases[i];
    if (h.bounds.empty()) {
      h.bounds = latency_buckets(latency->timeouts.of(kAllPhases[i]));
      h.counts.assign(h.bounds.size() + 1, 0);
    }
    h.observe(took->count());
  }
}

void Metrics::TargetSeries::set_timeouts(const PhaseTimeouts& t) {
  if (!options.histograms || (latency && latency->timeouts == t)) return;
  // Buckets are fixed when a histogram is made: new deadlines, new histograms.
  latency = std::make_unique<Latency>();
  latency->timeouts = t;
}

// Counts each scheme a 407 offered once per probe, and how the authentication ended.
void Metrics::TargetSeries::record_auth(const ProbeResult& result) {
  auto auth_result = auth_result_of(result);
  if (!auth_result) return;
  SlotSet seen;
  for (const std::string& name : result.auth_schemes) {
    const auto i = static_cast<std::size_t>(challenge_scheme(name));
    if (seen.has(i)) continue;
    seen.add(i);
    challenge_slots.add(i);
    ++auth_challenges[i];
  }
  const auto r = static_cast<std::size_t>(*auth_result);
  auth_result_slots.add(r);
  ++auth_results[r];
}

// TCP series appear with the first probe that got a connection and then keep the last value
// measured: a probe that failed before connecting has nothing to say about the path.
void Metrics::TargetSeries::record_tcp(const TcpInfo& info) {
  tcp = true;
  tcp_rtt = info.rtt_us / 1e6;
  retransmits += info.retransmits;
  mss_send = info.snd_mss;
  mss_receive = info.rcv_mss;
  pmtu = info.pmtu;
}

// Like the TCP series, TLS series describe the last handshake seen and survive probes that did
// not get that far. A handshake that failed verification has an issuer but no version or
// cipher: it is still reported, since an unexpected issuer is how an inspecting proxy shows.
void Metrics::TargetSeries::record_tls(const TlsInfo& info) {
  if (info.not_after) cert_not_after = static_cast<double>(*info.not_after);
  if (info.version.empty() && info.issuer.empty()) return;
  tls = true;
  tls_version = info.version;
  tls_cipher = info.cipher;
  tls_issuer = info.issuer;
}

}  // namespace proxywatch
