// Metrics: the process-wide series (proxy, config, build info: metric_families.h), the table
// of per-(proxy, target) rows (target_series.h) and the text exposition, piece by piece.
#include "common/output/metrics/metrics.h"

#include <algorithm>
#include <stdexcept>

#include "common/output/metrics/metric_families.h"
#include "common/output/metrics/pair_table.h"
#include "common/output/metrics/process_metrics.h"
#include "common/output/metrics/target_series.h"

namespace proxywatch {

struct Metrics::ConfigSeries {
  pm::Gauge* valid;
  pm::Counter* applied;
  pm::Counter* rejected;
  pm::Gauge* last_reload = nullptr;
  pm::Gauge* warnings = nullptr;
};

Metrics::Metrics()
    : families_(std::make_unique<Families>(registry_)),
      targets_(std::make_unique<PairTable<TargetSeries>>()) {
  families_->build_info.Add({{"version", PROXYWATCH_VERSION}, {"revision", PROXYWATCH_REVISION}})
      .Set(1);
}

Metrics::~Metrics() = default;

template <class F>
void Metrics::update_pair(const std::string& proxy, const std::string& target, F f) {
  const std::string label = proxy_label(proxy);
  targets_->update(
      {label, target}, [&] { return TargetSeries(options_); }, f);
}

void Metrics::record_probe(const std::string& proxy, const std::string& target,
                           const ProbeResult& result) {
  update_pair(proxy, target, [&](TargetSeries& s) { s.record(result); });
}

void Metrics::set_options(const MetricOptions& options) {
  if (options == options_) return;
  options_ = options;
  // Every pair comes back in the new set with its next probe.
  targets_->clear();
}

void Metrics::set_phase_timeouts(const std::string& proxy, const std::string& target,
                                 const PhaseTimeouts& timeouts) {
  update_pair(proxy, target, [&](TargetSeries& s) { s.set_timeouts(timeouts); });
}

void Metrics::set_probe_interval(const std::string& proxy, const std::string& target,
                                 std::chrono::duration<double> interval) {
  update_pair(proxy, target, [&](TargetSeries& s) { s.interval = interval.count(); });
}

void Metrics::set_target_info(const std::string& proxy, const std::string& target,
                              std::string_view service, std::string_view destination) {
  update_pair(proxy, target, [&](TargetSeries& s) {
    if (s.target_info && s.target_info->first == service && s.target_info->second == destination)
      return;
    s.target_info.emplace(std::string(service), std::string(destination));
  });
}

void Metrics::set_proxy(std::optional<std::string> proxy) {
  if (!proxy_configured_) proxy_configured_ = &families_->proxy_configured.Add({});
  proxy_configured_->Set(proxy ? 1 : 0);
  std::string label = proxy ? proxy_label(*proxy) : std::string(kNoneLabel);
  if (proxy_info_ && label == proxy_info_label_) return;
  remove_series(families_->proxy_info, proxy_info_);
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
  const std::string label = proxy_label(proxy);
  targets_->erase({label, target});
}

void Metrics::forget_proxy(const std::string& proxy) {
  targets_->erase_proxy(proxy_label(proxy));
}

void Metrics::add_source(const PairSeriesSource* source) {
  std::lock_guard lock(sources_mutex_);
  sources_.push_back(source);
}

void Metrics::remove_source(const PairSeriesSource* source) {
  std::lock_guard lock(sources_mutex_);
  std::erase(sources_, source);
}

void Metrics::write(const ExpositionSink& sink, const std::vector<pm::MetricFamily>& extra) const {
  ExpositionWriter writer(sink);
  targets_->expose(writer, TargetSeries::families(),
                   [](std::size_t family, const SeriesKey& key, const TargetSeries& row,
                      std::vector<pm::ClientMetric>& out) { row.emit(family, key, out); });
  {
    std::lock_guard lock(sources_mutex_);
    for (const PairSeriesSource* source : sources_) source->expose(writer);
  }
  writer.families(registry_.Collect());
  writer.families(collect_process_metrics());
  writer.families(extra);
  writer.families({collect_local_error_metrics()});
  writer.finish();
}

std::string Metrics::serialize(const std::vector<pm::MetricFamily>& extra) const {
  std::string text;
  write([&](std::string_view piece) { text.append(piece); }, extra);
  return text;
}

Metrics::ConfigSeries& Metrics::config_series(std::string_view file) {
  std::size_t index = 0;
  if (file == kConfigFileProxy) {
    index = 0;
  } else if (file == kConfigFileYaml) {
    index = 1;
  } else if (file == kConfigFileWeb) {
    index = 2;
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

}  // namespace proxywatch
