// Writing the text exposition in pieces. The per-(proxy, target) families are built and
// serialized a chunk of pairs at a time — prometheus-cpp's TextSerializer does the formatting —
// so a scrape of 10,000 targets never holds all their series at once, and its text can be
// compressed as it is made (docs/benchmarks.md, "The cost per target"). Internal to the metrics
// room.
#pragma once

#include <array>
#include <functional>
#include <initializer_list>
#include <ostream>
#include <streambuf>
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

// Turns families and chunks of a family's series into text for `sink`. TextSerializer writes
// into a buffer of the writer's own, passed on to `sink` 64 KiB at a time: no chunk's text is
// copied into a string of its own.
class ExpositionWriter {
 public:
  explicit ExpositionWriter(const ExpositionSink& sink) : buffer_(sink), out_(&buffer_) {}
  ExpositionWriter(const ExpositionWriter&) = delete;
  ExpositionWriter& operator=(const ExpositionWriter&) = delete;

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
  // Passes what is buffered on to the sink; the text is complete after it.
  void finish() { buffer_.flush(); }

 private:
  // Collects the serializer's output for the sink, dropping the first `skip` lines it is given
  // after skip_lines() (a later chunk's repeated TYPE line).
  class SinkBuffer : public std::streambuf {
   public:
    explicit SinkBuffer(const ExpositionSink& sink) : sink_(sink) {}
    void skip_lines(int lines) { skip_ = lines; }
    void flush();

   protected:
    int_type overflow(int_type c) override;
    std::streamsize xsputn(const char* s, std::streamsize n) override;

   private:
    void put(std::string_view text);
    const ExpositionSink& sink_;
    std::array<char, 64 * 1024> data_{};
    std::size_t used_ = 0;
    int skip_ = 0;
  };

  void serialize(const std::vector<prometheus::MetricFamily>& families);

  SinkBuffer buffer_;
  std::ostream out_;
  FamilyHead head_{};
  bool head_written_ = false;
};

// Label name and value, as ClientMetric keeps them.
using LabelPair = std::pair<std::string_view, std::string_view>;

// A series labelled {proxy, target} and `extra`, sorted by name as prometheus-cpp sorts them.
prometheus::ClientMetric pair_metric(std::string_view proxy, std::string_view target,
                                     std::initializer_list<LabelPair> extra = {});

}  // namespace proxywatch
