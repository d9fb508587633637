// When the registry's histories are saved and restored: restored once at start from state_dir,
// saved a few seconds after they changed (so a crash loses at most that much, and an idle daemon
// is not woken to find nothing to save), and once more at stop. A save that fails is logged once
// per kind of failure and again when saving works again. Not thread-safe: the io_context
// thread only.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/error.h"
#include "common/history/pair_registry.h"
#include "daemon/tracker_sink.h"

namespace proxywatch {

// How long after a change the histories are saved.
inline constexpr std::chrono::seconds kStateSaveInterval{5};

class Persistence {
 public:
  // Saves `registry`'s pairs; restores them through `sink`, which exports them.
  Persistence(const boost::asio::any_io_executor& executor, PairRegistry& registry,
              TrackerSink& sink);

  // Restores the histories saved in `state_dir` (a file that does not load is set aside and
  // logged); later saves go there.
  void restore(const std::string& state_dir);
  // Something changed: saves within kStateSaveInterval.
  void changed();
  // Saves now and stops the timer (the daemon is stopping).
  void stop();

 private:
  std::string path() const;
  void save();

  PairRegistry& registry_;
  TrackerSink& sink_;
  std::string state_dir_;
  boost::asio::steady_timer timer_;
  bool armed_ = false;
  bool stopped_ = false;
  std::optional<Error> failing_;  // the last save error logged; nullopt while saves work
};

}  // namespace proxywatch
