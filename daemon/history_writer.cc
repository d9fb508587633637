// The writer thread: a flush every interval, what failed carried to the next, retention every
// hour.
#include "daemon/history_writer.h"

#include <algorithm>
#include <iterator>

#include <spdlog/spdlog.h>

namespace proxywatch {
namespace {

template <class T>
void append(std::vector<T>& into, std::vector<T>&& part) {
  if (into.empty()) {
    into = std::move(part);
    return;
  }
  into.insert(into.end(), std::make_move_iterator(part.begin()),
              std::make_move_iterator(part.end()));
}

}  // namespace

HistoryWriter::HistoryWriter(std::unique_ptr<ProbeStore> store, RetentionSettings retention,
                             std::chrono::milliseconds flush_interval, FlushObserver observer)
    : store_(std::move(store)),
      path_(store_->path()),
      retention_(retention),
      flush_interval_(flush_interval),
      observer_(std::move(observer)),
      thread_([this] { run(); }) {}

HistoryWriter::~HistoryWriter() {
  stop();
}

void HistoryWriter::add(StoreBatch part) {
  std::lock_guard lock(mutex_);
  for (PairState& s : part.states) {
    PairKey key{s.proxy, s.target};
    dropped_.erase(key);
    states_.insert_or_assign(std::move(key), std::move(s));
  }
  for (PairKey& key : part.dropped) {
    states_.erase(key);
    dropped_.insert(std::move(key));
  }
  part.states.clear();
  part.dropped.clear();
  stats_.pending += part.probes.size();
  merge(pending_, std::move(part));
  if (!first_pending_) {
    first_pending_ = std::chrono::steady_clock::now();
    wake_.notify_one();
  }
}

void HistoryWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

HistoryWriter::Stats HistoryWriter::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void HistoryWriter::merge(StoreBatch& into, StoreBatch part) {
  append(into.probes, std::move(part.probes));
  append(into.mtu, std::move(part.mtu));
  append(into.health, std::move(part.health));
  append(into.diagnoses, std::move(part.diagnoses));
  // A pair's newer state replaces its older one; a drop cancels an older state, and a newer
  // state cancels an older drop.
  for (PairState& s : part.states) {
    std::erase_if(into.states,
                  [&](const PairState& o) { return o.proxy == s.proxy && o.target == s.target; });
    std::erase(into.dropped, PairKey{s.proxy, s.target});
    into.states.push_back(std::move(s));
  }
  for (PairKey& key : part.dropped) {
    std::erase_if(into.states, [&](const PairState& o) {
      return o.proxy == key.first && o.target == key.second;
    });
    if (std::find(into.dropped.begin(), into.dropped.end(), key) == into.dropped.end()) {
      into.dropped.push_back(std::move(key));
    }
  }
}

StoreBatch HistoryWriter::take() {
  StoreBatch batch = std::exchange(pending_, StoreBatch{});
  for (auto& entry : states_) batch.states.push_back(std::move(entry.second));
  states_.clear();
  batch.dropped.assign(dropped_.begin(), dropped_.end());
  dropped_.clear();
  return batch;
}

void HistoryWriter::run() {
  using WriterClock = std::chrono::steady_clock;
  std::unique_lock lock(mutex_);
  for (;;) {
    // Asleep while there is nothing to write: woken by the first addition (then a batch
    // gathers for one interval after it), by the retry of a write that failed, by retention's
    // hour, or by stop(). An idle daemon's writer wakes once an hour.
    WriterClock::time_point next = next_retention_;
    if (!carried_.empty()) next = std::min(next, WriterClock::now() + flush_interval_);
    wake_.wait_until(lock, next, [this] { return stopping_ || first_pending_.has_value(); });
    if (first_pending_ && !stopping_) {
      wake_.wait_until(lock, *first_pending_ + flush_interval_, [this] { return stopping_; });
    }
    const bool last = stopping_;
    first_pending_.reset();
    StoreBatch batch = take();
    lock.unlock();
    const Flushed flushed = flush(std::move(batch));
    if (last) log_last_flush(flushed);
    if (!last && WriterClock::now() >= next_retention_) apply_retention();
    lock.lock();
    if (last) return;
  }
}

HistoryWriter::Flushed HistoryWriter::flush(StoreBatch batch) {
  merge(carried_, std::move(batch));
  if (carried_.empty()) return {};
  const std::size_t probes = carried_.probes.size();
  Flushed flushed{probes, carried_.states.size() + carried_.dropped.size()};
  auto written = store_->write(carried_);
  flushed.written = bool(written);
  std::size_t dropped = 0;
  Stats now;
  if (!written && probes > kHistoryMaxPending) {
    dropped = probes - kHistoryMaxPending;
    carried_.probes.erase(carried_.probes.begin(),
                          carried_.probes.begin() + static_cast<std::ptrdiff_t>(dropped));
  }
  {
    std::lock_guard lock(mutex_);
    if (written) {
      stats_.probes_written += probes;
      stats_.last_write = std::chrono::system_clock::now();
    } else {
      ++stats_.failed_writes;
    }
    stats_.probes_dropped += dropped;
    stats_.pending = pending_.probes.size() + (written ? 0 : carried_.probes.size());
    now = stats_;
  }
  if (observer_) observer_(now, bool(written));
  if (written) {
    if (failing_) {
      spdlog::info("history written to {} again ({} probes kept while writing failed)", path_,
                   probes);
    }
    failing_.reset();
    carried_ = StoreBatch{};
    return flushed;
  }
  // Once per kind of failure: a full disk would otherwise warn every second.
  std::string message = written.error().message;
  if (failing_ != message) {
    spdlog::warn(
        "{}; probing goes on, and up to {} probes are kept in memory and written when writing "
        "works again",
        message, kHistoryMaxPending);
  }
  failing_ = std::move(message);
  if (dropped > 0) {
    spdlog::warn("history: {} probes not written could not be kept and are lost", dropped);
  }
  return flushed;
}

void HistoryWriter::log_last_flush(const Flushed& last) const {
  const Stats stats = this->stats();
  if (last.written && last.probes + last.states == 0) {
    spdlog::info(
        "history: nothing left to write at stop ({} probes written since start, {} "
        "writes failed)",
        stats.probes_written, stats.failed_writes);
    return;
  }
  if (last.written) {
    spdlog::info(
        "history: last write at stop: {} probes and {} target states written to {} ({} "
        "probes written since start, {} writes failed)",
        last.probes, last.states, path_, stats.probes_written, stats.failed_writes);
    return;
  }
  // The error itself was logged by flush() unless it repeated an earlier one: name it again,
  // since nothing will retry this write.
  spdlog::error(
      "history: last write at stop failed ({}): {} probes and {} target states are "
      "lost ({} probes written since start, {} writes failed)",
      failing_.value_or("unknown error"), last.probes, last.states, stats.probes_written,
      stats.failed_writes);
}

void HistoryWriter::apply_retention() {
  next_retention_ = std::chrono::steady_clock::now() + kHistoryRetentionInterval;
  auto report = store_->apply_retention(retention_, std::chrono::system_clock::now());
  if (!report) {
    spdlog::warn("{}", report.error().message);
    return;
  }
  if (report->deleted_by_age + report->deleted_by_size > 0) {
    spdlog::info("history retention: {} probes deleted by age, {} to keep {} within {} MiB",
                 report->deleted_by_age, report->deleted_by_size, path_,
                 retention_.max_bytes >> 20);
  }
}

}  // namespace proxywatch
