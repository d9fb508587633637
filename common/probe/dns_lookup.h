// Resolving the proxy's name without ever blocking the io_context thread or its shutdown.
// getaddrinfo(3) cannot be interrupted, and Asio's resolver joins its lookup thread when the
// io_context is destroyed, so a hung DNS server would hold `proxywatch check` and the daemon's
// stop for the resolver's whole retry time. Here each lookup runs on a detached thread; a
// lookup whose deadline passed is abandoned and its late answer dropped.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include "common/error.h"
#include "common/probe_spec.h"

namespace proxywatch {

// The addresses of a name, or why there are none: the resolver's error, std::errc::timed_out
// when the deadline passed, std::errc::no_buffer_space when too many lookups are still
// pending (a DNS server that never answers must not pile up threads) — in Error::code, with
// the system's text as the message.
using DnsAnswer = Result<std::vector<boost::asio::ip::tcp::endpoint>>;

// The DnsAnswer of a failed lookup.
Error dns_error(std::error_code code);

// A blocking lookup, run on a lookup thread: the system's getaddrinfo (through Asio's
// resolver) in the daemon; unit tests pass one that blocks or answers on cue.
using BlockingResolver = std::function<DnsAnswer(const std::string& host, std::uint16_t port)>;

// The system's lookup of `host` for TCP port `port`; blocks for as long as getaddrinfo does.
DnsAnswer system_resolve(const std::string& host, std::uint16_t port);

// Resolves `host` for TCP port `port` with `resolver` on a lookup thread, answering within
// `deadline`: the resolver's answer, timed_out, or no_buffer_space when kMaxPendingLookups
// lookups are still running (see DnsAnswer).
boost::asio::awaitable<DnsAnswer> resolve_with_deadline(std::string host, std::uint16_t port,
                                                        Millis deadline,
                                                        BlockingResolver resolver = system_resolve);

// Lookups still running, abandoned ones included.
int pending_lookups();

// The most lookups left running at once, abandoned ones included.
inline constexpr int kMaxPendingLookups = 32;

}  // namespace proxywatch
