// The daemon's side of systemd's notify protocol (sd_notify(3)): READY, RELOADING, STOPPING,
// STATUS and watchdog pings. Every call is a no-op when NOTIFY_SOCKET is unset, so the daemon
// runs the same in the foreground or under another process manager.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace proxywatch {

// READY=1 with a STATUS= line.
void notify_ready(std::string_view status);
// RELOADING=1 (with MONOTONIC_USEC=, as systemd 253 wants) and a STATUS= line.
void notify_reloading(std::string_view status);
// STOPPING=1.
void notify_stopping();
// STATUS= only.
void notify_status(std::string_view status);
// WATCHDOG=1.
void notify_watchdog();
// The watchdog interval systemd asked for (WatchdogSec=), or nullopt when none.
std::optional<std::chrono::microseconds> watchdog_interval();

}  // namespace proxywatch
