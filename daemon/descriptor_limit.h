// The daemon's file descriptor limit, checked against what its probes need. A probe that cannot
// open its socket ends local_error (common/local_errors.h) and says nothing about the proxy;
// this makes it unlikely, and says so in the journal at start when it is not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace proxywatch {

// Descriptors one probe may hold at once: its connection to the proxy, and a second one while
// it reconnects after a 407 or asks the proxy's port for TLS.
inline constexpr std::uint64_t kDescriptorsPerProbe = 2;
// The daemon's own, beside its probes: epoll, timers, the listener and its clients, the
// journal, the history database, the proxy file's watch, the state lock, c-ares' sockets, the
// capture.
inline constexpr std::uint64_t kDaemonOwnDescriptors = 64;

// Descriptors `targets` targets need with at most `max_concurrent` probes at once.
std::uint64_t descriptors_needed(std::size_t targets, std::size_t max_concurrent);

// The warning for a soft limit of `limit` when `needed` descriptors are needed; nullopt when
// they fit.
std::optional<std::string> descriptor_warning(std::uint64_t limit, std::uint64_t needed);

// Raises the soft RLIMIT_NOFILE as far as the hard limit allows and warns (journal) when
// `targets` targets probed at most `max_concurrent` at once still cannot fit under it.
void raise_descriptor_limit(std::size_t targets, std::size_t max_concurrent);

}  // namespace proxywatch
