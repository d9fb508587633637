// Resolving the proxy's name on the probe's own io_context, with c-ares: no thread per lookup,
// no cap that fails a lookup, one query shared by every probe that asks for the same name at
// the same time, and answers reused for their TTL. getaddrinfo(3) was the alternative: it gives
// no TTL and cannot be cancelled, so it needs a thread per lookup (and a cap on hung ones, which
// failed the 33rd probe at start). c-ares reads /etc/resolv.conf and /etc/hosts as the C
// library does, in the order of nsswitch.conf's "files" and "dns"; other NSS modules (mDNS,
// LDAP, systemd's) are not asked (a systemd-resolved host's resolv.conf names its 127.0.0.53
// stub, which is).
//
// Each io_context has one resolver (an Asio service), created at its first lookup: the daemon's
// probes share one, `proxywatch check` has its own. All of its work runs on that io_context's
// one thread; it keeps the io_context busy only while a lookup is waited for.
//
// Reuse: a positive answer is kept for its smallest TTL, clamped to [kDnsMinTtl, kDnsMaxTtl];
// an answer from /etc/hosts has no TTL (0) and is kept for kDnsMinTtl. A failure (NXDOMAIN,
// SERVFAIL, timeout) is never kept: the next probe asks again, so a fixed record is seen at
// once; concurrent probes still share the one failing query.
#pragma once

#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "common/error.h"
#include "common/probe_spec.h"

namespace proxywatch {

// The addresses of a name, or why there are none, in Error::code: asio's host_not_found
// (NXDOMAIN), no_data (the name has no address), host_not_found_try_again (SERVFAIL, REFUSED,
// no server reachable), std::errc::timed_out when the probe's dns deadline passed first, or the
// system's error when a local resource ran out (EMFILE, ENFILE, ENOMEM, ENOBUFS: see
// common/local_errors.h), with a message for the dns_failed sentence.
using DnsAnswer = Result<std::vector<boost::asio::ip::tcp::endpoint>>;

// The DnsAnswer of a failed lookup, with `code`'s text as the message.
Error dns_error(std::error_code code);

// The shortest and longest time an answer is reused, whatever its TTL.
inline constexpr Millis kDnsMinTtl{1'000};
inline constexpr Millis kDnsMaxTtl{300'000};

// Where a resolver sends its queries; defaults are production's.
struct DnsOptions {
  // c-ares' servers CSV ("127.0.0.1:5353"); empty: /etc/resolv.conf's nameservers.
  std::string servers{};
  // c-ares' lookup order: "b" DNS only, "f" /etc/hosts only, "fb" both; empty: resolv.conf's
  // or c-ares' default ("fb").
  std::string lookups{};
  Millis min_ttl = kDnsMinTtl;
  Millis max_ttl = kDnsMaxTtl;
};

// How long an answer whose smallest TTL is `ttl_seconds` is reused under `options`.
Millis dns_reuse_time(int ttl_seconds, const DnsOptions& options);

// Sets the options of `context`'s resolver. Call before its first lookup (later calls are
// ignored); tests point it at a DNS server of their own.
void configure_dns(boost::asio::execution_context& context, DnsOptions options);

// Lookups `context`'s resolver started (one per name asked while none was in flight nor
// cached): how many times DNS was really asked.
std::uint64_t dns_lookups_started(boost::asio::execution_context& context);

// Resolves `host` for TCP port `port` on the calling coroutine's io_context, answering within
// `deadline`: a reused answer at once, else the shared lookup's answer, or timed_out. Waiting
// for a lookup that is already in flight counts against the same deadline; nothing else waits.
boost::asio::awaitable<DnsAnswer> resolve_with_deadline(std::string host, std::uint16_t port,
                                                        Millis deadline);

}  // namespace proxywatch
