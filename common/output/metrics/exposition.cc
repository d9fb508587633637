// ExpositionWriter: prometheus-cpp's TextSerializer, a chunk at a time.
#include "common/output/metrics/exposition.h"

#include <algorithm>

#include <prometheus/text_serializer.h>

namespace proxywatch {
namespace {

namespace pm = prometheus;

// `text` without its first two lines (the chunk's repeated HELP and TYPE).
std::string_view without_head(std::string_view text) {
  for (int line = 0; line < 2; ++line) {
    const auto end = text.find('\n');
    if (end == std::string_view::npos) return {};
    text.remove_prefix(end + 1);
  }
  return text;
}

}  // namespace

void ExpositionWriter::begin(const FamilyHead& head) {
  head_ = head;
  head_written_ = false;
}

void ExpositionWriter::chunk(std::vector<pm::ClientMetric>& metrics) {
  if (metrics.empty()) return;
  std::vector<pm::MetricFamily> family(1);
  family[0].name = head_.name;
  family[0].help = head_.help;
  family[0].type = head_.type;
  family[0].metric = std::move(metrics);
  metrics.clear();
  const std::string text = pm::TextSerializer().Serialize(family);
  // Help text is escaped (no newline), so a family's head is exactly two lines.
  sink_(head_written_ ? without_head(text) : std::string_view(text));
  head_written_ = true;
}

void ExpositionWriter::end() {
  if (!head_written_) {
    std::vector<pm::MetricFamily> family(1);
    family[0].name = head_.name;
    family[0].help = head_.help;
    family[0].type = head_.type;
    sink_(pm::TextSerializer().Serialize(family));
  }
  head_written_ = false;
}

void ExpositionWriter::families(const std::vector<pm::MetricFamily>& families) {
  if (!families.empty()) sink_(pm::TextSerializer().Serialize(families));
}

pm::ClientMetric pair_metric(std::string_view proxy, std::string_view target,
                             std::initializer_list<LabelPair> extra) {
  pm::ClientMetric metric;
  metric.label.reserve(2 + extra.size());
  metric.label.push_back({"proxy", std::string(proxy)});
  metric.label.push_back({"target", std::string(target)});
  for (const auto& [name, value] : extra) {
    metric.label.push_back({std::string(name), std::string(value)});
  }
  if (extra.size() > 0) {
    std::sort(metric.label.begin(), metric.label.end(),
              [](const pm::ClientMetric::Label& a, const pm::ClientMetric::Label& b) {
                return a.name < b.name;
              });
  }
  return metric;
}

}  // namespace proxywatch
