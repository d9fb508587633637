// The history's start (open, import, restore), its feed and the state timer.
#include "daemon/persistence.h"

#include <malloc.h>

#include <cmath>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "common/output/log/log.h"
#include "common/output/store/state_file.h"
#include "daemon/history_request.h"

namespace proxywatch {

Persistence::Persistence(const boost::asio::any_io_executor& executor, PairRegistry& registry,
                         TrackerSink& sink, prometheus::Registry& metrics)
    : registry_(registry), sink_(sink), metrics_(metrics), timer_(executor) {}

Persistence::~Persistence() = default;

void Persistence::restore(const std::string& state_dir, const RetentionSettings& retention) {
  const auto now = std::chrono::system_clock::now();
  history_path_ = history_database_path(state_dir);
  auto opened = ProbeStore::open(history_path_, now);
  if (!opened) {
    spdlog::warn("{}; no history is kept (probing goes on)", opened.error());
    metrics_.unavailable();
    return;
  }
  if (opened->warning) {
    log_event(Event{.id = message_ids::kStateFileSetAside,
                    .priority = Priority::kWarning,
                    .message = *opened->warning});
  }
  ProbeStore& store = *opened->store;
  auto states = store.pair_states(registry_.settings(), now);
  if (!states) {
    spdlog::warn("{}; the trackers start without their saved state", states.error());
    states = std::vector<PairState>{};
  }
  if (states->empty()) {
    states = import_state_file(state_dir, store);
  }
  if (!states->empty()) {
    spdlog::info("history of {} target(s) restored from {}", states->size(), history_path_);
  }
  sink_.restore(std::move(*states), now);
  writer_ = std::make_unique<HistoryWriter>(
      std::move(opened->store), retention, kHistoryFlushInterval,
      [this](const HistoryWriter::Stats& stats, bool written) { metrics_.update(stats, written); });
}

// state.json, which proxywatch kept before the probe store: its trackers are written into the
// store and the file renamed, so it is imported once.
std::vector<PairState> Persistence::import_state_file(const std::string& state_dir,
                                                      ProbeStore& store) {
  const auto now = std::chrono::system_clock::now();
  std::string path = (std::filesystem::path(state_dir) / kStateFileName).string();
  LoadedState loaded = load_state_file(path, now);
  if (loaded.warning) {
    log_event(Event{.id = message_ids::kStateFileSetAside,
                    .priority = Priority::kWarning,
                    .message = *loaded.warning});
  }
  if (loaded.pairs.empty()) return {};
  // The windows' samples become probe rows: the store rebuilds windows from its probes.
  StoreBatch batch{.states = loaded.pairs};
  for (const PairState& pair : loaded.pairs) {
    for (const Sample& sample : pair.history.window.samples()) {
      ProbeRecord r{.at = sample.at,
                    .proxy = pair.proxy,
                    .target = pair.target,
                    .outcome = sample.outcome,
                    .phase = sample.phase,
                    .reset = sample.reset};
      for (std::size_t i = 0; i < kAllPhases.size(); ++i) {
        if (sample.phase_seconds[i]) r.phase_us[i] = std::llround(*sample.phase_seconds[i] * 1e6);
      }
      batch.probes.push_back(std::move(r));
    }
  }
  if (auto written = store.write(batch); !written) {
    spdlog::warn("cannot import {} into the history: {}", path, written.error());
    return loaded.pairs;
  }
  std::string imported = path + ".imported-" + file_stamp(now);
  std::error_code ec;
  std::filesystem::rename(path, imported, ec);
  spdlog::info("history of {} target(s) imported from {} into {}{}", loaded.pairs.size(), path,
               history_path_,
               ec ? fmt::format(" (it could not be renamed: {})", ec.message())
                  : " (the file is kept as " + imported + ")");
  return loaded.pairs;
}

void Persistence::changes(const PairKey& key, WallTime at, const TrackerChanges& changes,
                          StoreBatch& batch) {
  if (changes.health_changed()) {
    batch.health.push_back({key.first, key.second, changes.health, at});
  }
  for (const DiagnosisChange& d : changes.diagnoses) {
    batch.diagnoses.push_back({key.first, key.second, d.diagnosis, d.raised, at, d.evidence});
  }
}

void Persistence::probe(const PairKey& key, Service service, const ProbeResult& result, WallTime at,
                        const TrackerChanges& tracker_changes) {
  if (!writer_ || stopped_) return;
  StoreBatch batch;
  batch.probes.push_back(make_probe_record(key.first, key.second, service, result, at));
  changes(key, at, tracker_changes, batch);
  writer_->add(std::move(batch));
  touched(key);
}

void Persistence::mtu(const PairKey& key, const MtuReport& report, WallTime at,
                      const TrackerChanges& tracker_changes) {
  if (!writer_ || stopped_) return;
  StoreBatch batch;
  batch.mtu.push_back(
      {at, key.first, key.second, std::string(to_string(report.verdict)), report.diagnosis});
  changes(key, at, tracker_changes, batch);
  writer_->add(std::move(batch));
  touched(key);
}

void Persistence::dropped(const std::vector<PairKey>& keys) {
  if (!writer_ || stopped_ || keys.empty()) return;
  for (const PairKey& key : keys) dirty_.erase(key);
  writer_->add(StoreBatch{.dropped = keys});
}

void Persistence::touched(const PairKey& key) {
  dirty_.insert(key);
  if (armed_) return;
  armed_ = true;
  timer_.expires_after(kStateSaveInterval);
  timer_.async_wait([this](auto ec) {
    armed_ = false;
    if (ec || stopped_) return;
    save_states();
    // glibc keeps what a burst of probes (64 TLS connections at once) or a scrape freed; give
    // it back to the kernel while quiet (docs/benchmarks.md: 100 targets, 21.4 -> 17.5 MiB).
    malloc_trim(0);
  });
}

void Persistence::save_states() {
  if (!writer_ || dirty_.empty()) return;
  StoreBatch batch;
  for (const PairKey& key : dirty_) {
    if (const Tracker* t = registry_.find(key)) {
      batch.states.push_back(PairState{key.first, key.second, t->history()});
    }
  }
  dirty_.clear();
  writer_->add(std::move(batch));
}

void Persistence::stop() {
  if (stopped_) return;
  timer_.cancel();
  save_states();
  stopped_ = true;
  if (writer_) writer_->stop();
}

}  // namespace proxywatch
