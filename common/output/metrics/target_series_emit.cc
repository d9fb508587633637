// How a (proxy, target) row (target_series.h) becomes the proxywatch_probe_* families of the
// catalogue (docs/metrics.md), family by family, in catalogue order.
#include <cmath>
#include <limits>

#include "common/output/metrics/metric_labels.h"
#include "common/output/metrics/target_series.h"

namespace proxywatch {
namespace {

namespace pm = prometheus;
using pm::MetricType;

// The families of a row, in catalogue order; emit() switches on these numbers.
enum TargetFamily : std::size_t {
  kSuccess,
  kDuration,
  kPhaseDuration,
  kPhaseLatency,
  kProbes,
  kConfirmations,
  kLastOutcome,
  kConnectStatus,
  kHttpStatus,
  kBodyBytes,
  kThroughput,
  kStalls,
  kResets,
  kAuthChallenges,
  kAuthResults,
  kTcpRtt,
  kRetransmits,
  kTcpMss,
  kPmtu,
  kCertNotAfter,
  kTlsInfo,
  kLastCompleted,
  kInterval,
  kTargetInfo,
  kTargetFamilyCount,
};

constexpr std::array<FamilyHead, kTargetFamilyCount> kTargetHeads = {{
    {"proxywatch_probe_success", "1 if the last probe succeeded, else 0", MetricType::Gauge},
    {"proxywatch_probe_duration_seconds", "Duration of the last probe", MetricType::Gauge},
    {"proxywatch_probe_phase_duration_seconds",
     "Duration of each phase of the last probe (a failed phase: until it failed; a phase not "
     "reached: 0)",
     MetricType::Gauge},
    {"proxywatch_probe_phase_latency_seconds",
     "Duration of each probe phase that completed, up to the phase's deadline (metrics: "
     "histograms: true)",
     MetricType::Histogram},
    {"proxywatch_probes_total", "Probes finished, by outcome", MetricType::Counter},
    {"proxywatch_confirmation_probes_total",
     "Confirmation probes finished (also counted in proxywatch_probes_total): probes made sooner "
     "than the interval after a failure, or after a failing pair's first pass",
     MetricType::Counter},
    {"proxywatch_probe_last_outcome_info", "1 for the outcome and failing phase of the last probe",
     MetricType::Gauge},
    {"proxywatch_probe_connect_status_code",
     "Status code of the proxy's answer to CONNECT in the last probe, 0 if none",
     MetricType::Gauge},
    {"proxywatch_probe_http_status_code", "Origin's HTTP status code in the last probe, 0 if none",
     MetricType::Gauge},
    {"proxywatch_probe_body_bytes", "Body bytes read in the last probe", MetricType::Gauge},
    {"proxywatch_probe_throughput_bytes_per_second",
     "Body bytes per second over the transfer phase of the last probe", MetricType::Gauge},
    {"proxywatch_stalls_total", "Probes that stalled, by failing phase", MetricType::Counter},
    {"proxywatch_resets_total", "Failed probes the peer ended with an RST, by phase",
     MetricType::Counter},
    {"proxywatch_proxy_auth_challenges_total",
     "Probes whose proxy asked to authenticate (407), by scheme offered", MetricType::Counter},
    {"proxywatch_proxy_auth_total",
     "Probes whose proxy asked to authenticate, by result (ok, failed, required, unsupported, "
     "insecure)",
     MetricType::Counter},
    {"proxywatch_tcp_rtt_seconds", "Smoothed TCP round-trip time to the proxy", MetricType::Gauge},
    {"proxywatch_tcp_retransmitted_segments_total",
     "TCP segments retransmitted on probe connections", MetricType::Counter},
    {"proxywatch_tcp_mss_bytes", "TCP maximum segment size of the probe connection",
     MetricType::Gauge},
    {"proxywatch_tcp_path_mtu_bytes", "Path MTU of the probe connection", MetricType::Gauge},
    {"proxywatch_tls_cert_not_after_timestamp_seconds",
     "Expiry of the origin's leaf certificate, seconds since the epoch", MetricType::Gauge},
    {"proxywatch_tls_info", "1 for the parameters of the last TLS session", MetricType::Gauge},
    {"proxywatch_probe_last_completed_timestamp_seconds",
     "When the last probe of the pair completed, seconds since the epoch", MetricType::Gauge},
    {"proxywatch_probe_interval_seconds", "The pair's configured probe interval",
     MetricType::Gauge},
    {"proxywatch_target_info",
     "1, labelled with the FMC feature the target stands for (service) and what is probed "
     "(destination: host:port through CONNECT, or an http:// URL)",
     MetricType::Gauge},
}};

std::string_view phase_name(std::size_t slot) {
  return slot < kAllPhases.size() ? to_string(kAllPhases[slot]) : kNoneLabel;
}

// Appends series to one family's chunk, each labelled {proxy, target} and its own labels.
class Out {
 public:
  Out(const SeriesKey& key, std::vector<pm::ClientMetric>& out) : key_(key), out_(out) {}
  void gauge(double value, std::initializer_list<LabelPair> extra = {}) {
    add(extra).gauge.value = value;
  }
  void counter(double value, std::initializer_list<LabelPair> extra = {}) {
    add(extra).counter.value = value;
  }
  pm::ClientMetric& add(std::initializer_list<LabelPair> extra) {
    return out_.emplace_back(pair_metric(key_.first, key_.second, extra));
  }

 private:
  const SeriesKey& key_;
  std::vector<pm::ClientMetric>& out_;
};

// One series per slot in `slots` of `values`, labelled `label` = name(slot).
template <class T, std::size_t N, class Name>
void per_slot(Out& out, bool counter, const std::array<T, N>& values, const SlotSet& slots,
              std::string_view label, Name name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (!slots.has(i)) continue;
    if (counter) {
      out.counter(static_cast<double>(values[i]), {{label, name(i)}});
    } else {
      out.gauge(static_cast<double>(values[i]), {{label, name(i)}});
    }
  }
}

void histogram(Out& out, std::string_view phase, const LatencyHistogram& h) {
  pm::ClientMetric& m = out.add({{"phase", phase}});
  m.histogram.sample_count = h.count;
  m.histogram.sample_sum = h.sum;
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < h.counts.size(); ++i) {
    cumulative += h.counts[i];
    const double bound =
        i < h.bounds.size() ? h.bounds[i] : std::numeric_limits<double>::infinity();
    m.histogram.bucket.push_back({cumulative, bound});
  }
}

}  // namespace

std::span<const FamilyHead> Metrics::TargetSeries::families() {
  return kTargetHeads;
}

void Metrics::TargetSeries::emit(std::size_t family, const SeriesKey& key,
                                 std::vector<pm::ClientMetric>& chunk) const {
  Out out(key, chunk);
  const bool full = options.series == SeriesSet::kFull;
  auto outcome_name = [](std::size_t i) { return to_string(kAllOutcomes[i]); };
  switch (static_cast<TargetFamily>(family)) {
    case kSuccess:
      return out.gauge(success);
    case kDuration:
      return out.gauge(duration);
    case kPhaseDuration:
      return per_slot(out, false, phase_duration, phases, "phase", phase_name);
    case kPhaseLatency:
      if (!latency) return;
      for (std::size_t i = 0; i < kAllPhases.size(); ++i) {
        if (latency->phases[i].count > 0) histogram(out, phase_name(i), latency->phases[i]);
      }
      return;
    case kProbes:
      return per_slot(out, true, probes, outcomes, "outcome", outcome_name);
    case kConfirmations:
      return out.counter(confirmations);
    case kLastOutcome:
      if (last_outcome) {
        out.gauge(1,
                  {{"outcome", to_string(*last_outcome)}, {"phase", phase_name(last_phase_slot)}});
      }
      return;
    case kConnectStatus:
      return out.gauge(connect_status);
    case kHttpStatus:
      return out.gauge(http_status);
    case kBodyBytes:
      return out.gauge(body_bytes);
    case kThroughput:
      if (full) out.gauge(throughput);
      return;
    case kStalls:
      return per_slot(out, true, stalls, stall_slots, "phase", phase_name);
    case kResets:
      return per_slot(out, true, resets, reset_slots, "phase", phase_name);
    case kAuthChallenges:
      return per_slot(out, true, auth_challenges, challenge_slots, "scheme",
                      [](std::size_t i) { return to_string(kAllChallengeSchemes[i]); });
    case kAuthResults:
      return per_slot(out, true, auth_results, auth_result_slots, "result",
                      [](std::size_t i) { return to_string(kAllAuthResults[i]); });
    case kTcpRtt:
      if (tcp) out.gauge(tcp_rtt);
      return;
    case kRetransmits:
      return out.counter(retransmits);
    case kTcpMss:
      if (tcp) {
        out.gauge(mss_send, {{"direction", "send"}});
        out.gauge(mss_receive, {{"direction", "receive"}});
      }
      return;
    case kPmtu:
      if (tcp) out.gauge(pmtu);
      return;
    case kCertNotAfter:
      if (cert_not_after) out.gauge(*cert_not_after);
      return;
    case kTlsInfo:
      if (tls) {
        out.gauge(1, {{"version", tls_version}, {"cipher", tls_cipher}, {"issuer", tls_issuer}});
      }
      return;
    case kLastCompleted:
      if (last_outcome) out.gauge(last_completed);
      return;
    case kInterval:
      if (interval) out.gauge(*interval);
      return;
    case kTargetInfo:
      if (target_info) {
        out.gauge(1, {{"service", target_info->first}, {"destination", target_info->second}});
      }
      return;
    case kTargetFamilyCount:
      return;
  }
}

}  // namespace proxywatch
