// Labels and registration shared by the metric sinks.
#include "common/output/metrics/metric_labels.h"

namespace proxywatch {

std::string proxy_label(std::string_view proxy) {
  if (const auto at = proxy.rfind('@'); at != std::string_view::npos) proxy.remove_prefix(at + 1);
  return std::string(proxy.empty() ? kNoneLabel : proxy);
}

prometheus::Labels pair_labels(std::string_view proxy, std::string_view target) {
  return {{"proxy", proxy_label(proxy)}, {"target", std::string(target)}};
}

prometheus::Labels with(prometheus::Labels labels, std::string name, std::string_view value) {
  labels.emplace(std::move(name), std::string(value));
  return labels;
}

prometheus::Family<prometheus::Gauge>& register_gauge(prometheus::Registry& registry,
                                                      const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry);
}

prometheus::Family<prometheus::Counter>& register_counter(prometheus::Registry& registry,
                                                          const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry);
}

}  // namespace proxywatch
