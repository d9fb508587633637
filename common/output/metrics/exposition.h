// Writing the text exposition in pieces. The per-(proxy, target) families are built and
// serialized a chunk of pairs at a time — prometheus-cpp's TextSerializer does the formatting —
// so a scrape of 10,000 targets never holds all their series at once, and its text can be
// compressed as it is made (docs/benchmarks.md, "The cost per target"). Internal to the metrics
// room.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>
#include <prometheus/metric_type.h>

namespace proxywatch {

// Receives the exposition text, piece by piece, in order.
using ExpositionSink = std::function<void(std::string_view)>;

// A family's name, help and type.
struct FamilyHead {
  const char* name;
  const char* help;
  prometheus::MetricType type;
};

// Turns families and chunks of a family's series into text for `sink`.
class ExpositionWriter {
 public:
  explicit ExpositionWriter(const ExpositionSink& sink) : sink_(sink) {}

  // Starts `head`'s family: the chunks until end() belong to it.
  void begin(const FamilyHead& head);
  // Serializes `metrics`, series of the family begun; its HELP and TYPE lines are written once,
  // with its first chunk. Takes (and clears) `metrics`, so one vector serves every chunk.
  void chunk(std::vector<prometheus::ClientMetric>& metrics);
  // Ends the family begun; one without series is still written (HELP and TYPE), as
  // prometheus-cpp writes an empty family.
  void end();
  // Whole families at once (the registry's process-wide ones, the process collector's).
  void families(const std::vector<prometheus::MetricFamily>& families);

 private:
  const ExpositionSink& sink_;
  FamilyHead head_{};
  bool head_written_ = false;
};

// Label name and value, as ClientMetric keeps them.
using LabelPair = std::pair<std::string_view, std::string_view>;

// A series labelled {proxy, target} and `extra`, sorted by name as prometheus-cpp sorts them.
prometheus::ClientMetric pair_metric(std::string_view proxy, std::string_view target,
                                     std::initializer_list<LabelPair> extra = {});

}  // namespace proxywatch
