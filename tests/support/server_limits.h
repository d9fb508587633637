// What the test servers of tests/support share: the completion token of their awaits, the bound
// on the connections they accept, the proxies' request limit and tunnel answer, and the bounds
// on starting and stopping the daemons they run (squid, tinyproxy, Prometheus, Alertmanager).
#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace proxywatch::testing {

// Every await of a test server: errors come back as values, never thrown.
inline constexpr auto kAwait = boost::asio::as_tuple(boost::asio::use_awaitable);
// Connections a test server accepts in its life (the soak test opens 100,000 and more): the
// accept loops are bounded, not endless.
inline constexpr std::size_t kMaxConnections = 1'000'000;
// Bytes of a request head a scripted proxy reads.
inline constexpr std::size_t kHeaderLimit = 16 * 1024;
// The answer of a proxy that opened the tunnel.
inline constexpr std::string_view kEstablished = "HTTP/1.1 200 Connection established\r\n\r\n";

// Ports tried before a daemon's start gives up (another process may take a free port between
// its choice and the daemon's bind).
inline constexpr int kPortAttempts = 3;
// How long a daemon may take to start listening.
inline constexpr auto kStartDeadline = std::chrono::seconds(15);
// How long a stop waits after SIGTERM before SIGKILL.
inline constexpr auto kStopGrace = std::chrono::seconds(5);

}  // namespace proxywatch::testing
