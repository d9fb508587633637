// Bounded polling for tests: wait for a condition with a deadline instead of sleeping and
// hoping. Header-only because it is a template over the predicate.
#pragma once

#include <chrono>
#include <thread>

namespace proxywatch::testing {

// Calls `pred` every `poll` until it returns true or `deadline` has passed; returns whether it
// became true. `pred` is evaluated once more at the deadline, so a slow last poll still counts.
template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds deadline,
                std::chrono::milliseconds poll = std::chrono::milliseconds(20)) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(poll);
  }
  return static_cast<bool>(pred());
}

}  // namespace proxywatch::testing
