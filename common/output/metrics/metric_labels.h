// The label and registration helpers both metric sinks share (metrics.cc for the probe series,
// tracker_metrics.cc for the tracker's): how a (proxy, target) pair becomes labels, so that the
// two sets of series always join on the same label values, and how a family is registered.
#pragma once

#include <string>
#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace proxywatch {

// The label value for no proxy, no phase and the like.
inline constexpr std::string_view kNoneLabel = "none";

// The `proxy` label of a "host:port" (or "none"): anything up to an '@' is dropped, so
// credentials never become a label; an empty proxy is "none".
std::string proxy_label(std::string_view proxy);

// {proxy=proxy_label(proxy), target=target}.
prometheus::Labels pair_labels(std::string_view proxy, std::string_view target);

// `labels` plus name=value.
prometheus::Labels with(prometheus::Labels labels, std::string name, std::string_view value);

// A gauge or counter family registered on `registry`.
prometheus::Family<prometheus::Gauge>& register_gauge(prometheus::Registry& registry,
                                                      const char* name, const char* help);
prometheus::Family<prometheus::Counter>& register_counter(prometheus::Registry& registry,
                                                          const char* name, const char* help);

}  // namespace proxywatch
