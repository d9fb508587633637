// The per-(proxy, target) series (target_series.h): what one ProbeResult sets, counts and
// replaces, series by series.
#include "common/output/metrics/target_series.h"

#include <initializer_list>
#include <optional>
#include <utility>

namespace proxywatch {
namespace {

const pm::Histogram::BucketBoundaries& phase_buckets() {
  // Up to the longest deadline (transfer, 60 s), so every completed phase lands in a finite
  // bucket. Failed phases are not observed (record()), so a deadline expiry never looks slow.
  static const pm::Histogram::BucketBoundaries buckets = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60};
  return buckets;
}

std::size_t phase_slot(std::optional<Phase> phase) {
  return phase ? static_cast<std::size_t>(*phase) : kAllPhases.size();
}

std::string phase_name(std::size_t slot) {
  return std::string(slot < kAllPhases.size() ? to_string(kAllPhases[slot]) : kNoneLabel);
}

// How the proxy's demand for authentication ended: the outcome's own result (kOutcomeTraits'
// `auth` column), else "ok" when credentials were sent; nullopt when the proxy made no demand.
std::optional<AuthResult> auth_result_of(const ProbeResult& result) {
  if (auto own = traits(result.outcome).auth) return own;
  if (!result.auth_scheme.empty()) return AuthResult::kOk;
  return std::nullopt;
}

}  // namespace

Metrics::TargetSeries::TargetSeries(Families& f, pm::Labels base)
    : families(f),
      labels(std::move(base)),
      success(&f.success.Add(labels)),
      duration(&f.duration.Add(labels)),
      connect_status(&f.connect_status.Add(labels)),
      http_status(&f.http_status.Add(labels)),
      body_bytes(&f.body_bytes.Add(labels)),
      throughput(&f.throughput.Add(labels)),
      retransmits(&f.retransmits.Add(labels)),
      last_completed(&f.last_completed.Add(labels)) {
  for (std::size_t i = 0; i < kAllOutcomes.size(); ++i)
    probes[i] = &f.probes.Add(with(labels, "outcome", std::string(to_string(kAllOutcomes[i]))));
  for (std::size_t i = 0; i < kAllPhases.size(); ++i) {
    stalls[i] = &f.stalls.Add(with(labels, "phase", phase_name(i)));
    resets[i] = &f.resets.Add(with(labels, "phase", phase_name(i)));
  }
}

void Metrics::TargetSeries::record(const ProbeResult& result) {
  record_outcome(result);
  last_completed->Set(as_seconds(result.started) + result.total.count());
  const std::size_t failed = result.ok() ? kAllPhases.size() : phase_slot(result.phase);
  for (std::size_t i = 0; i < kAllPhases.size(); ++i) {
    // The failing phase's time is the time until it failed (often its deadline): not a latency.
    if (!result.phases[i] || i == failed) continue;
    if (!phase_duration[i]) {
      phase_duration[i] =
          &families.phase_duration.Add(with(labels, "phase", phase_name(i)), phase_buckets());
    }
    phase_duration[i]->Observe(result.phases[i]->count());
  }
  connect_status->Set(result.connect_status);
  http_status->Set(result.http_status);
  body_bytes->Set(static_cast<double>(result.bytes));
  throughput->Set(result.throughput_bytes_per_s);
  if (const auto& tcp = result.tcp()) record_tcp(*tcp);
  record_tls(result.tls);
  record_auth(result);
}

// Counts each scheme a 407 offered once per probe, and how the authentication ended.
void Metrics::TargetSeries::record_auth(const ProbeResult& result) {
  auto auth_result = auth_result_of(result);
  if (!auth_result) return;
  std::array<bool, kAllChallengeSchemes.size()> seen{};
  for (const std::string& name : result.auth_schemes) {
    ChallengeScheme scheme = challenge_scheme(name);
    auto i = static_cast<std::size_t>(scheme);
    if (seen[i]) continue;
    seen[i] = true;
    if (!auth_challenges[i]) {
      auth_challenges[i] =
          &families.auth_challenges.Add(with(labels, "scheme", std::string(to_string(scheme))));
    }
    auth_challenges[i]->Increment();
  }
  auto r = static_cast<std::size_t>(*auth_result);
  if (!auth_results[r]) {
    auth_results[r] = &families.auth_results.Add(with(labels, "result", to_string(*auth_result)));
  }
  auth_results[r]->Increment();
}

void Metrics::TargetSeries::record_outcome(const ProbeResult& result) {
  success->Set(result.ok() ? 1 : 0);
  duration->Set(result.total.count());
  probes[static_cast<std::size_t>(result.outcome)]->Increment();
  record_last_outcome(result);
  const std::size_t slot = phase_slot(result.phase);
  const bool stalled = is_stall(result.outcome);
  const bool reset = is_reset(result);
  // A stall or reset without a phase would be an engine bug; count it under "none", not lose it.
  if (stalled && !stalls[slot])
    stalls[slot] = &families.stalls.Add(with(labels, "phase", phase_name(slot)));
  if (reset && !resets[slot])
    resets[slot] = &families.resets.Add(with(labels, "phase", phase_name(slot)));
  if (stalled) stalls[slot]->Increment();
  if (reset) resets[slot]->Increment();
}

void Metrics::TargetSeries::record_last_outcome(const ProbeResult& result) {
  const std::size_t slot = phase_slot(result.phase);
  if (last_outcome && last_outcome_value == result.outcome && last_phase_slot == slot) return;
  remove_series(families.last_outcome, last_outcome);
  pm::Labels series = with(labels, "outcome", std::string(to_string(result.outcome)));
  last_outcome = &families.last_outcome.Add(with(std::move(series), "phase", phase_name(slot)));
  last_outcome->Set(1);
  last_outcome_value = result.outcome;
  last_phase_slot = slot;
}

// TCP series appear with the first probe that got a connection and then keep the last value
// measured: a probe that failed before connecting has nothing to say about the path.
void Metrics::TargetSeries::record_tcp(const TcpInfo& tcp) {
  if (!tcp_rtt) {
    tcp_rtt = &families.tcp_rtt.Add(labels);
    mss_send = &families.tcp_mss.Add(with(labels, "direction", "send"));
    mss_receive = &families.tcp_mss.Add(with(labels, "direction", "receive"));
    pmtu = &families.pmtu.Add(labels);
  }
  tcp_rtt->Set(tcp.rtt_us / 1e6);
  retransmits->Increment(tcp.retransmits);
  mss_send->Set(tcp.snd_mss);
  mss_receive->Set(tcp.rcv_mss);
  pmtu->Set(tcp.pmtu);
}

// Like the TCP series, TLS series describe the last handshake seen and survive probes that did
// not get that far. A handshake that failed verification has an issuer but no version or
// cipher: it is still reported, since an unexpected issuer is how an inspecting proxy shows.
void Metrics::TargetSeries::record_tls(const TlsInfo& tls) {
  if (tls.not_after) {
    if (!cert_not_after) cert_not_after = &families.cert_not_after.Add(labels);
    cert_not_after->Set(static_cast<double>(*tls.not_after));
  }
  if (tls.version.empty() && tls.issuer.empty()) return;
  if (tls_info && tls.version == tls_version && tls.cipher == tls_cipher &&
      tls.issuer == tls_issuer) {
    return;
  }
  remove_series(families.tls_info, tls_info);
  pm::Labels series = with(with(labels, "version", tls.version), "cipher", tls.cipher);
  tls_info = &families.tls_info.Add(with(std::move(series), "issuer", tls.issuer));
  tls_info->Set(1);
  tls_version = tls.version;
  tls_cipher = tls.cipher;
  tls_issuer = tls.issuer;
}

void Metrics::TargetSeries::remove_all_series() {
  using Slot = std::pair<pm::Family<pm::Gauge>*, pm::Gauge**>;
  Families& f = families;
  for (auto [family, gauge] : std::initializer_list<Slot>{{&f.success, &success},
                                                          {&f.duration, &duration},
                                                          {&f.connect_status, &connect_status},
                                                          {&f.http_status, &http_status},
                                                          {&f.body_bytes, &body_bytes},
                                                          {&f.throughput, &throughput},
                                                          {&f.tcp_rtt, &tcp_rtt},
                                                          {&f.tcp_mss, &mss_send},
                                                          {&f.tcp_mss, &mss_receive},
                                                          {&f.pmtu, &pmtu},
                                                          {&f.cert_not_after, &cert_not_after},
                                                          {&f.last_outcome, &last_outcome},
                                                          {&f.tls_info, &tls_info},
                                                          {&f.last_completed, &last_completed},
                                                          {&f.interval, &interval},
                                                          {&f.target_info, &target_info}}) {
    remove_series(*family, *gauge);
  }
  remove_series(f.retransmits, retransmits);
  remove_each_series(f.probes, probes);
  remove_each_series(f.phase_duration, phase_duration);
  remove_each_series(f.stalls, stalls);
  remove_each_series(f.resets, resets);
  remove_each_series(f.auth_challenges, auth_challenges);
  remove_each_series(f.auth_results, auth_results);
}

}  // namespace proxywatch
