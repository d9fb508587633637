// proxywatch's exit statuses, every command's in one list (proxywatch(8), "EXIT STATUS").
#pragma once

namespace proxywatch {

inline constexpr int kExitOk = 0;
// check: the probe did not end ok (or a negative probe's tunnel opened).
inline constexpr int kExitProbeFailed = 1;
// daemon: it could not start (invalid YAML, unusable listen address or web configuration).
inline constexpr int kExitDaemonFailed = 1;
// Bad usage: an unknown command or option, a missing or malformed value.
inline constexpr int kExitUsage = 2;
// config-check: a configuration that cannot be used (the same as bad usage, as nginx -t).
inline constexpr int kExitConfigInvalid = 2;
// status: a proxy, and every target healthy / some target is not (or no proxy) / no answer,
// or bad usage.
inline constexpr int kExitStatusHealthy = 0;
inline constexpr int kExitStatusNotHealthy = 1;
inline constexpr int kExitStatusUnreachable = 2;
// history: the database does not exist, cannot be read or is not a proxywatch history.
inline constexpr int kExitHistoryUnavailable = 1;
// bundle: the configuration could not be read or the archive not written.
inline constexpr int kExitBundleFailed = 1;
// A bug, not bad input (EX_SOFTWARE of sysexits.h): an exception reached main.
inline constexpr int kExitSoftware = 70;

}  // namespace proxywatch
