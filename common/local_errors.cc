// Process-wide counters of local errors, and the episode clock for their log line.
#include "common/local_errors.h"

#include <atomic>
#include <cerrno>
#include <mutex>

namespace proxywatch {
namespace {

std::array<std::atomic<std::uint64_t>, kAllLocalReasons.size()> local_error_totals{};
std::mutex local_error_mutex;
std::optional<std::chrono::steady_clock::time_point> local_error_last;

}  // namespace

std::string_view to_string(LocalReason reason) {
  switch (reason) {
    case LocalReason::kEmfile:
      return "emfile";
    case LocalReason::kEnfile:
      return "enfile";
    case LocalReason::kEnomem:
      return "enomem";
    case LocalReason::kEnobufs:
      return "enobufs";
  }
  return "unknown";
}

std::optional<LocalReason> local_reason(const std::error_code& code) {
  if (code.category() != std::system_category() && code.category() != std::generic_category()) {
    return std::nullopt;
  }
  switch (code.value()) {
    case EMFILE:
      return LocalReason::kEmfile;
    case ENFILE:
      return LocalReason::kEnfile;
    case ENOMEM:
      return LocalReason::kEnomem;
    case ENOBUFS:
      return LocalReason::kEnobufs;
    default:
      return std::nullopt;
  }
}

bool count_local_error(LocalReason reason) {
  ++local_error_totals[static_cast<std::size_t>(reason)];
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(local_error_mutex);
  bool starts = !local_error_last || now - *local_error_last >= kLocalErrorEpisodeGap;
  local_error_last = now;
  return starts;
}

std::array<std::uint64_t, kAllLocalReasons.size()> local_error_counts() {
  std::array<std::uint64_t, kAllLocalReasons.size()> out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = local_error_totals[i].load();
  return out;
}

}  // namespace proxywatch
