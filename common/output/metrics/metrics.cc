// Metrics: registration of the catalogue, and the per-(proxy, target) series cache that keeps
// a probe's update down to pointer look-ups (no label maps built after the first probe).
#include "common/output/metrics/metrics.h"

#include <initializer_list>
#include <iterator>
#include <stdexcept>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/text_serializer.h>

#include "common/auth_scheme.h"
#include "common/output/metrics/metric_labels.h"
#include "common/output/metrics/process_metrics.h"

namespace proxywatch {
namespace {

namespace pm = prometheus;

// One slot per phase, plus one for "no phase" (an ok probe, or a failure without one).
constexpr std::size_t kPhaseSlots = kAllPhases.size() + 1;

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

template <class T>
void remove(pm::Family<T>& family, T*& metric) {
  if (metric) family.Remove(metric);
  metric = nullptr;
}

template <class T, std::size_t N>
void remove_all(pm::Family<T>& family, std::array<T*, N>& metrics) {
  for (T*& metric : metrics) remove(family, metric);
}

// How the proxy's demand for authentication ended: the outcome's own result (kOutcomeTraits'
// `auth` column), else "ok" when credentials were sent; nullopt when the proxy made no demand.
std::optional<AuthResult> auth_result_of(const ProbeResult& result) {
  if (auto own = traits(result.outcome).auth) return own;
  if (!result.auth_scheme.empty()) return AuthResult::kOk;
  return std::nullopt;
}

double as_seconds(std::chrono::system_clock::time_point when) {
  return std::chrono::duration<double>(when.time_since_epoch()).count();
}

}  // namespace

// The registered families, in catalogue order (docs/metrics.md).
struct Metrics::Families {
  explicit Families(pm::Registry& r) : registry(r) {}

  pm::Family<pm::Gauge>& gauge(const char* name, const char* help) {
    return register_gauge(registry, name, help);
  }
  pm::Family<pm::Counter>& counter(const char* name, const char* help) {
    return register_counter(registry, name, help);
  }

  pm::Registry& registry;  // first: every initializer below registers into it
  pm::Family<pm::Gauge>& success =
      gauge("proxywatch_probe_success", "1 if the last probe succeeded, else 0");
  pm::Family<pm::Gauge>& duration =
      gauge("proxywatch_probe_duration_seconds", "Duration of the last probe");
  pm::Family<pm::Histogram>& phase_duration =
      pm::BuildHistogram()
          .Name("proxywatch_probe_phase_duration_seconds")
          .Help("Duration of each probe phase that completed (the failing phase is not observed)")
          .Register(registry);
  pm::Family<pm::Counter>& probes =
      counter("proxywatch_probes_total", "Probes finished, by outcome");
  pm::Family<pm::Gauge>& last_outcome =
      gauge("proxywatch_probe_last_outcome_info",
            "1 for the outcome and failing phase of the last probe");
  pm::Family<pm::Gauge>& connect_status =
      gauge("proxywatch_probe_connect_status_code",
            "Status code of the proxy's answer to CONNECT in the last probe, 0 if none");
  pm::Family<pm::Gauge>& http_status =
      gauge("proxywatch_probe_http_status_code",
            "Origin's HTTP status code in the last probe, 0 if none");
  pm::Family<pm::Gauge>& body_bytes =
      gauge("proxywatch_probe_body_bytes", "Body bytes read in the last probe");
  pm::Family<pm::Gauge>& throughput =
      gauge("proxywatch_probe_throughput_bytes_per_second",
            "Body bytes per second over the transfer phase of the last probe");
  pm::Family<pm::Counter>& stalls =
      counter("proxywatch_stalls_total", "Probes that stalled, by failing phase");
  pm::Family<pm::Counter>& resets =
      counter("proxywatch_resets_total", "Failed probes the peer ended with an RST, by phase");
  pm::Family<pm::Counter>& auth_challenges =
      counter("proxywatch_proxy_auth_challenges_total",
              "Probes whose proxy asked to authenticate (407), by scheme offered");
  pm::Family<pm::Counter>& auth_results =
      counter("proxywatch_proxy_auth_total",
              "Probes whose proxy asked to authenticate, by result (ok, failed, required, "
              "unsupported, insecure)");
  pm::Family<pm::Gauge>& tcp_rtt =
      gauge("proxywatch_tcp_rtt_seconds", "Smoothed TCP round-trip time to the proxy");
  pm::Family<pm::Counter>& retransmits = counter("proxywatch_tcp_retransmitted_segments_total",
                                                 "TCP segments retransmitted on probe connections");
  pm::Family<pm::Gauge>& tcp_mss =
      gauge("proxywatch_tcp_mss_bytes", "TCP maximum segment size of the probe connection");
  pm::Family<pm::Gauge>& pmtu =
      gauge("proxywatch_tcp_path_mtu_bytes", "Path MTU of the probe connection");
  pm::Family<pm::Gauge>& cert_not_after =
      gauge("proxywatch_tls_cert_not_after_timestamp_seconds",
            "Expiry of the origin's leaf certificate, seconds since the epoch");
  pm::Family<pm::Gauge>& tls_info =
      gauge("proxywatch_tls_info", "1 for the parameters of the last TLS session");
  pm::Family<pm::Gauge>& proxy_configured =
      gauge("proxywatch_proxy_configured", "1 if a proxy is configured, else 0");
  pm::Family<pm::Gauge>& proxy_info =
      gauge("proxywatch_proxy_info", "1 for the proxy currently configured");
  pm::Family<pm::Gauge>& config_valid =
      gauge("proxywatch_config_valid", "1 if the config file last loaded was valid");
  pm::Family<pm::Counter>& config_reloads =
      counter("proxywatch_config_reloads_total", "Loads of a config file, by result");
  pm::Family<pm::Gauge>& config_last_reload =
      gauge("proxywatch_config_last_reload_timestamp_seconds",
            "Time of the last load of a config file, seconds since the epoch");
  pm::Family<pm::Gauge>& config_warnings =
      gauge("proxywatch_config_warnings", "Warnings in the config file last loaded");
  pm::Family<pm::Gauge>& last_completed =
      gauge("proxywatch_probe_last_completed_timestamp_seconds",
            "When the last probe of the pair completed, seconds since the epoch");
  pm::Family<pm::Gauge>& interval =
      gauge("proxywatch_probe_interval_seconds", "The pair's configured probe interval");
  pm::Family<pm::Gauge>& build_info =
      gauge("proxywatch_build_info", "1, labelled with the proxywatch version and revision");
};

// Every series of one (proxy, target). Series every probe sets, and counters whose first
// increment must be visible to increase(), are created up front; the rest on first use.
struct Metrics::TargetSeries {
  TargetSeries(Families& f, pm::Labels base);
  void record(const ProbeResult& result);
  void record_outcome(const ProbeResult& result);
  void record_last_outcome(const ProbeResult& result);
  void record_auth(const ProbeResult& result);
  void record_tcp(const TcpInfo& tcp);
  void record_tls(const TlsInfo& tls);
  void remove_all_series();

  Families& families;
  const pm::Labels labels;  // {proxy, target}
  pm::Gauge* success;
  pm::Gauge* duration;
  pm::Gauge* connect_status;
  pm::Gauge* http_status;
  pm::Gauge* body_bytes;
  pm::Gauge* throughput;
  pm::Counter* retransmits;
  pm::Gauge* last_completed;
  pm::Gauge* interval = nullptr;
  std::array<pm::Counter*, kAllOutcomes.size()> probes{};
  std::array<pm::Histogram*, kAllPhases.size()> phase_duration{};
  std::array<pm::Counter*, kPhaseSlots> stalls{};
  std::array<pm::Counter*, kPhaseSlots> resets{};
  std::array<pm::Counter*, kAllChallengeSchemes.size()> auth_challenges{};
  std::array<pm::Counter*, kAllAuthResults.size()> auth_results{};
  pm::Gauge* tcp_rtt = nullptr;
  pm::Gauge* mss_send = nullptr;
  pm::Gauge* mss_receive = nullptr;
  pm::Gauge* pmtu = nullptr;
  pm::Gauge* cert_not_after = nullptr;
  pm::Gauge* last_outcome = nullptr;
  Outcome last_outcome_value = Outcome::kOk;
  std::size_t last_phase_slot = 0;
  pm::Gauge* tls_info = nullptr;
  std::string tls_version, tls_cipher, tls_issuer;
};

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
  remove(families.last_outcome, last_outcome);
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
  remove(families.tls_info, tls_info);
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
                                                          {&f.interval, &interval}}) {
    remove(*family, *gauge);
  }
  remove(f.retransmits, retransmits);
  remove_all(f.probes, probes);
  remove_all(f.phase_duration, phase_duration);
  remove_all(f.stalls, stalls);
  remove_all(f.resets, resets);
  remove_all(f.auth_challenges, auth_challenges);
  remove_all(f.auth_results, auth_results);
}

struct Metrics::ConfigSeries {
  pm::Gauge* valid;
  pm::Counter* applied;
  pm::Counter* rejected;
  pm::Gauge* last_reload = nullptr;
  pm::Gauge* warnings = nullptr;
};

Metrics::Metrics() : families_(std::make_unique<Families>(registry_)) {
  families_->build_info.Add({{"version", PROXYWATCH_VERSION}, {"revision", PROXYWATCH_REVISION}})
      .Set(1);
}

Metrics::~Metrics() = default;

void Metrics::record_probe(const std::string& proxy, const std::string& target,
                           const ProbeResult& result) {
  series_for(proxy, target).record(result);
}

void Metrics::set_probe_interval(const std::string& proxy, const std::string& target,
                                 std::chrono::duration<double> interval) {
  TargetSeries& series = series_for(proxy, target);
  if (!series.interval) series.interval = &families_->interval.Add(series.labels);
  series.interval->Set(interval.count());
}

void Metrics::set_proxy(std::optional<std::string> proxy) {
  if (!proxy_configured_) proxy_configured_ = &families_->proxy_configured.Add({});
  proxy_configured_->Set(proxy ? 1 : 0);
  std::string label = proxy ? proxy_label(*proxy) : std::string(kNoneLabel);
  if (proxy_info_ && label == proxy_info_label_) return;
  remove(families_->proxy_info, proxy_info_);
  proxy_info_ = &families_->proxy_info.Add({{"proxy", label}});
  proxy_info_->Set(1);
  proxy_info_label_ = std::move(label);
}

void Metrics::record_config_load(std::string_view file, bool applied, std::size_t warnings,
                                 std::chrono::system_clock::time_point when) {
  ConfigSeries& series = config_series(file);
  if (!series.last_reload) {
    const pm::Labels labels = {{"file", std::string(file)}};
    series.last_reload = &families_->config_last_reload.Add(labels);
    series.warnings = &families_->config_warnings.Add(labels);
  }
  (applied ? series.applied : series.rejected)->Increment();
  series.valid->Set(applied ? 1 : 0);
  series.last_reload->Set(as_seconds(when));
  series.warnings->Set(static_cast<double>(warnings));
}

void Metrics::set_config_valid(std::string_view file, bool valid) {
  config_series(file).valid->Set(valid ? 1 : 0);
}

void Metrics::forget_target(const std::string& proxy, const std::string& target) {
  if (auto it = targets_.find(KeyLess::View{proxy, target}); it != targets_.end()) erase_target(it);
}

void Metrics::forget_proxy(const std::string& proxy) {
  // Keys sort by proxy first, so one proxy's targets are adjacent.
  auto it = targets_.lower_bound(KeyLess::View{proxy, std::string_view()});
  while (it != targets_.end() && it->first.first == proxy) erase_target(it++);
}

std::string Metrics::serialize() const {
  std::vector<pm::MetricFamily> families = registry_.Collect();
  std::vector<pm::MetricFamily> process = collect_process_metrics();
  families.insert(families.end(), std::make_move_iterator(process.begin()),
                  std::make_move_iterator(process.end()));
  return pm::TextSerializer().Serialize(families);
}

Metrics::TargetSeries& Metrics::series_for(const std::string& proxy, const std::string& target) {
  auto it = targets_.find(KeyLess::View{proxy, target});
  if (it == targets_.end()) {
    pm::Labels labels = pair_labels(proxy, target);
    auto series = std::make_unique<TargetSeries>(*families_, std::move(labels));
    it = targets_.emplace(std::pair{proxy, target}, std::move(series)).first;
  }
  return *it->second;
}

Metrics::ConfigSeries& Metrics::config_series(std::string_view file) {
  std::size_t index = 0;
  if (file == kConfigFileProxy) {
    index = 0;
  } else if (file == kConfigFileYaml) {
    index = 1;
  } else {
    throw std::invalid_argument("metrics: unknown config file label " + std::string(file));
  }
  if (!config_[index]) {
    const pm::Labels labels = {{"file", std::string(file)}};
    config_[index] = std::make_unique<ConfigSeries>(
        ConfigSeries{&families_->config_valid.Add(labels),
                     &families_->config_reloads.Add(with(labels, "result", "applied")),
                     &families_->config_reloads.Add(with(labels, "result", "rejected"))});
  }
  return *config_[index];
}

void Metrics::erase_target(TargetMap::iterator it) {
  it->second->remove_all_series();
  targets_.erase(it);
}

}  // namespace proxywatch
