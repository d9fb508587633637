// Metrics: the catalogue's families (metric_families.h), the process-wide series (proxy,
// config, build info), the map of per-(proxy, target) series (target_series.h) and the text
// exposition.
#include "common/output/metrics/metrics.h"

#include <iterator>
#include <stdexcept>

#include <prometheus/text_serializer.h>

#include "common/output/metrics/metric_families.h"
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

void Metrics::set_target_info(const std::string& proxy, const std::string& target,
                              std::string_view service, std::string_view destination) {
  TargetSeries& series = series_for(proxy, target);
  std::string key = std::string(service) + '\n' + std::string(destination);
  if (series.target_info && series.target_info_key == key) return;
  remove_series(families_->target_info, series.target_info);
  pm::Labels labels = series.labels;
  labels["service"] = std::string(service);
  labels["destination"] = std::string(destination);
  series.target_info = &families_->target_info.Add(labels);
  series.target_info->Set(1);
  series.target_info_key = std::move(key);
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
  if (auto it = targets_.find(KeyLess::View{proxy, target}); it != targets_.end()) erase_target(it);
}

void Metrics::forget_proxy(const std::string& proxy) {
  // Keys sort by proxy first, so one proxy's targets are adjacent.
  auto first = targets_.lower_bound(KeyLess::View{proxy, std::string_view()});
  auto last = first;
  while (last != targets_.end() && last->first.first == proxy) ++last;
  // One ordered pass per family instead of each pair's series one by one (quadratic).
  families_->remove_pair_series({{"proxy", proxy_label(proxy)}});
  targets_.erase(first, last);
}

std::string Metrics::serialize(std::vector<pm::MetricFamily> extra) const {
  std::vector<pm::MetricFamily> families = registry_.Collect();
  std::vector<pm::MetricFamily> process = collect_process_metrics();
  families.insert(families.end(), std::make_move_iterator(process.begin()),
                  std::make_move_iterator(process.end()));
  families.insert(families.end(), std::make_move_iterator(extra.begin()),
                  std::make_move_iterator(extra.end()));
  families.push_back(collect_local_error_metrics());
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

void Metrics::erase_target(TargetMap::iterator it) {
  it->second->remove_all_series();
  targets_.erase(it);
}

}  // namespace proxywatch
