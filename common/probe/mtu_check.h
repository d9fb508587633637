// The MTU comparison (DESIGN.md, mtu_suspected; the guide's MTU section): the same probe three
// ways — as configured, with the socket's MSS clamped low so the proxy must send small segments
// (inbound), and with a ClientHello padded past one full-size segment (outbound) — and the
// verdict their outcomes give. "Clamped passes, normal stalls or resets" is an inbound MTU
// problem; "normal passes, padded stalls or resets" an outbound one; all failing is not MTU.
#pragma once

#include <cstdint>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "common/mtu_report.h"
#include "common/probe/packet_tap.h"
#include "common/probe/tls_contexts.h"
#include "common/probe_result.h"
#include "common/probe_spec.h"

namespace proxywatch {

// The verdict of three outcomes:
//   all pass                                                      → none
//   normal and padded lost in flight (stalled, reset or cut short),
//   clamped passes                                                → inbound
//   normal passes, padded's handshake stalls or is reset          → outbound
//   all fail, alike or not in flight (refused, denied, auth ...)  → none: not MTU
//   anything else (e.g. one probe failing once)                   → inconclusive
// The padded probe is not clamped, so an inbound problem must break it like the normal one; a
// padded probe that passes then means the normal one failed by chance.
MtuVerdict mtu_verdict(Outcome normal, Outcome clamped, Outcome padded);

// One sentence for a human on what the report's verdict means and what to check next.
std::string mtu_diagnosis(const MtuReport& report);

// The ClientHello padding the padded probe asked for, in bytes (from its send MSS).
std::size_t padded_hello_bytes(const MtuReport& report);

// Sets the report's verdict, padded_hello_bytes and diagnosis from its three probes.
void conclude_mtu_report(MtuReport& report);

// Runs the three probes of `spec` one after the other (never at once: they must not compete
// for the same path) and returns their report. `tls` is the context for the normal and clamped
// probes, `padded_tls` one made with ClientHelloPadding::kPadded for the same CA file; the report
// is concluded. Never throws for network failures. `taps`, when given, watch the normal, the
// clamped and the padded probe in that order (one tap may watch all three).
struct MtuTaps {
  PacketTap* normal = nullptr;
  PacketTap* clamped = nullptr;
  PacketTap* padded = nullptr;
};
boost::asio::awaitable<MtuReport> run_mtu_comparison(ProbeSpec spec, TlsContexts::ContextPtr tls,
                                                     TlsContexts::ContextPtr padded_tls,
                                                     MtuTaps taps = {});

}  // namespace proxywatch
