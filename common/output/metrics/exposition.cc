// ExpositionWriter: prometheus-cpp's TextSerializer, a chunk at a time.
#include "common/output/metrics/exposition.h"

#include <algorithm>

#include <prometheus/text_serializer.h>

namespace proxywatch {
namespace {

namespace pm = prometheus;

pm::MetricFamily family_of(const FamilyHead& head, bool with_help) {
  pm::MetricFamily family;
  family.name = head.name;
  // prometheus-cpp writes no HELP line for an empty help text, only TYPE.
  if (with_help) family.help = head.help;
  family.type = head.type;
  return family;
}

}  // namespace

void ExpositionWriter::SinkBuffer::put(std::string_view text) {
  while (skip_ > 0 && !text.empty()) {
    const auto end = text.find('\n');
    if (end == std::string_view::npos) return;
    text.remove_prefix(end + 1);
    --skip_;
  }
  while (!text.empty()) {
    const std::size_t n = std::min(text.size(), data_.size() - used_);
    std::copy_n(text.data(), n, data_.data() + used_);
    used_ += n;
    text.remove_prefix(n);
    if (used_ == data_.size()) flush();
  }
}

void ExpositionWriter::SinkBuffer::flush() {
  if (used_ > 0) sink_(std::string_view(data_.data(), used_));
  used_ = 0;
}

ExpositionWriter::SinkBuffer::int_type ExpositionWriter::SinkBuffer::overflow(int_type c) {
  if (!traits_type::eq_int_type(c, traits_type::eof())) {
    const char ch = traits_type::to_char_type(c);
    put(std::string_view(&ch, 1));
  }
  return traits_type::not_eof(c);
}

std::streamsize ExpositionWriter::SinkBuffer::xsputn(const char* s, std::streamsize n) {
  put(std::string_view(s, static_cast<std::size_t>(n)));
  return n;
}

void ExpositionWriter::serialize(const std::vector<pm::MetricFamily>& families) {
  pm::TextSerializer().Serialize(out_, families);
}

void ExpositionWriter::begin(const FamilyHead& head) {
  head_ = head;
  head_written_ = false;
}

void ExpositionWriter::chunk(std::vector<pm::ClientMetric>& metrics) {
  if (metrics.empty()) return;
  std::vector<pm::MetricFamily> family(1, family_of(head_, !head_written_));
  family[0].metric = std::move(metrics);
  metrics.clear();
  // A later chunk's family has no help text, so its head is its TYPE line alone.
  if (head_written_) buffer_.skip_lines(1);
  serialize(family);
  head_written_ = true;
}

void ExpositionWriter::end() {
  if (!head_written_) serialize({family_of(head_, true)});
  head_written_ = false;
}

void ExpositionWriter::families(const std::vector<pm::MetricFamily>& families) {
  if (!families.empty()) serialize(families);
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
