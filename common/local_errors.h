// The daemon's own resources running out while probing: a socket(2) refused for lack of file
// descriptors (EMFILE for the process, ENFILE for the system) or of memory (ENOMEM, ENOBUFS).
// Such a probe says nothing about the proxy, so it ends with the outcome local_error, which the
// scheduler never hands to the history: no pair changes health for it. It is counted here,
// process-wide (like the process' own CPU and memory figures), for the metric
// proxywatch_local_errors_total{reason}, the status page and /status.json. Thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

namespace proxywatch {

enum class LocalReason { kEmfile, kEnfile, kEnomem, kEnobufs };
inline constexpr std::array kAllLocalReasons = {LocalReason::kEmfile, LocalReason::kEnfile,
                                                LocalReason::kEnomem, LocalReason::kEnobufs};

// "emfile", "enfile", "enomem", "enobufs": the metric's reason label.
std::string_view to_string(LocalReason reason);
// The reason `code` stands for, when it is one of these system errors.
std::optional<LocalReason> local_reason(const std::error_code& code);

// How long without a local error ends an episode (a new one is logged again).
inline constexpr std::chrono::seconds kLocalErrorEpisodeGap{60};

// Counts one local error; true when it starts an episode (the first, or the first after
// kLocalErrorEpisodeGap without one): the caller logs it then, once.
bool count_local_error(LocalReason reason);

// Local errors counted since the start, by reason (kAllLocalReasons order).
std::array<std::uint64_t, kAllLocalReasons.size()> local_error_counts();

}  // namespace proxywatch
