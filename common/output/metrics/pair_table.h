// PairTable: one row of plain values per (proxy, target), the storage of the per-pair series
// (target_series.h, tracker_metrics.h). prometheus-cpp keeps every series as an object with a
// label map of its own in hash maps — about 500 bytes a series, 38 KiB a target before the
// series diet — where a row is a few hundred bytes for all of a pair's series. Rows are written
// on the probing thread and read by the listener's thread, a chunk of pairs per lock, so a
// scrape of 10,000 targets neither holds the probing thread nor all its series at once
// (exposition.h). Internal to the metrics room.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/output/metrics/exposition.h"

namespace proxywatch {

// A pair's key: its `proxy` label (proxy_label(), never credentials) and target name.
using SeriesKey = std::pair<std::string, std::string>;

// Orders pair keys and lets string_view pairs look them up without copies.
struct PairKeyLess {
  using is_transparent = void;
  using View = std::pair<std::string_view, std::string_view>;
  static View view(const SeriesKey& key) { return {key.first, key.second}; }
  static View view(const View& key) { return key; }
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return view(a) < view(b);
  }
};

template <class Row>
class PairTable {
 public:
  using View = PairKeyLess::View;
  // Pairs serialized per lock: a few hundred microseconds of the listener's work at most.
  static constexpr std::size_t kChunk = 256;

  // Runs `f(row)` on the pair's row, made by `make()` when absent, under the lock.
  template <class Make, class F>
  void update(View key, Make make, F f) {
    std::lock_guard lock(mutex_);
    auto it = rows_.find(key);
    if (it == rows_.end()) {
      it = rows_.emplace(SeriesKey{key.first, key.second}, make()).first;
    }
    f(it->second);
  }

  void erase(View key) {
    std::lock_guard lock(mutex_);
    if (auto it = rows_.find(key); it != rows_.end()) rows_.erase(it);
  }

  // Erases every pair of `proxy` (keys sort by proxy first: one range).
  void erase_proxy(std::string_view proxy) {
    std::lock_guard lock(mutex_);
    auto first = rows_.lower_bound(View{proxy, std::string_view()});
    auto last = first;
    while (last != rows_.end() && last->first.first == proxy) ++last;
    rows_.erase(first, last);
  }

  void clear() {
    std::lock_guard lock(mutex_);
    rows_.clear();
  }

  // Writes each family of `heads` with every pair's series: `emit(family, key, row, out)`
  // appends the pair's series of family number `family` to `out`. A chunk of pairs at a time.
  template <class Emit>
  void expose(ExpositionWriter& writer, std::span<const FamilyHead> heads, Emit emit) const {
    std::vector<prometheus::ClientMetric> metrics;
    for (std::size_t family = 0; family < heads.size(); ++family) {
      writer.begin(heads[family]);
      std::optional<SeriesKey> after;
      bool done = false;
      while (!done) {
        {
          std::lock_guard lock(mutex_);
          auto it = after ? rows_.upper_bound(*after) : rows_.begin();
          for (std::size_t n = 0; it != rows_.end() && n < kChunk; ++it, ++n) {
            emit(family, it->first, it->second, metrics);
            after = it->first;
          }
          done = it == rows_.end();
        }
        writer.chunk(metrics);
      }
      writer.end();
    }
  }

 private:
  mutable std::mutex mutex_;
  std::map<SeriesKey, Row, PairKeyLess> rows_;
};

}  // namespace proxywatch
