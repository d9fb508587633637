// One probe of a proxy: DNS → TCP connect → CONNECT → TLS through the tunnel → optional HTTP
// request and download → close, each phase timed and bounded by its own deadline (DESIGN.md,
// "What one probe is"). A C++20 coroutine on the caller's executor: no threads, no blocking
// calls, so one io_context can run thousands of probes at once.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "common/probe/packet_tap.h"
#include "common/probe/tls_contexts.h"
#include "common/probe_result.h"
#include "common/probe_spec.h"

namespace proxywatch {

// Runs the probe `spec` with TLS settings from `tls` (see TlsContexts). Network failures,
// timeouts and hostile peers end up in the result's outcome, never as exceptions. Memory per
// probe is bounded: answer headers are capped at 16 KiB and bodies are counted, not kept.
// `tap`, when given, is told of every connection before its SYN (a packet capture); it must
// outlive the probe.
boost::asio::awaitable<ProbeResult> run_probe(ProbeSpec spec, TlsContexts::ContextPtr tls,
                                              PacketTap* tap = nullptr);

// The proxy answer's header size limit.
inline constexpr std::uint32_t kMaxHeaderBytes = 16 * 1024;

}  // namespace proxywatch
