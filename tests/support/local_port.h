// Ports on 127.0.0.1 for the servers the tests start as separate processes (squid, tinyproxy):
// those cannot be handed an already-bound socket, so a free port is picked just before start
// and the process is then watched until it listens there.
#pragma once

#include "tests/support/process.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace proxywatch::testing {

// A port that was free on 127.0.0.1 a moment ago (bound to port 0, read back, closed). Another
// process may take it before it is used: callers retry with a new one (see wait_for_listener).
std::uint16_t pick_free_port();

// Whether a TCP connect to 127.0.0.1:port succeeds now (the connection is closed at once).
bool port_accepts(std::uint16_t port);

enum class ListenerState { kListening, kExited, kTimedOut };

// Polls every 50 ms, for at most `deadline`, until `child` accepts connections on `port` and
// `announced()` is true (kListening), or until it has exited (kExited, e.g. the port was taken
// or the config was bad). `announced` checks the child's log for its "listening" line, so that a
// stranger who took the port in the meantime is not mistaken for the child.
ListenerState wait_for_listener(ChildProcess& child, std::uint16_t port,
                                const std::function<bool()>& announced,
                                std::chrono::milliseconds deadline);

// The last `max_bytes` of `text`, starting at a line boundary where possible: for error messages
// that quote a server's log.
std::string tail(const std::string& text, std::size_t max_bytes = 4096);

}  // namespace proxywatch::testing
