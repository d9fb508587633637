// The MTU comparison (DESIGN.md, mtu_suspected; the guide's MTU section): the same probe three
// ways — as configured, with the socket's MSS clamped low so the proxy must send small segments
// (inbound), and with a ClientHello padded past one full-size segment (outbound) — and the
// verdict their outcomes give. "Clamped passes, normal stalls or resets" is an inbound MTU
// problem; "normal passes, padded stalls or resets" an outbound one; all failing is not MTU.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "common/probe_result.h"
#include "common/probe_spec.h"
#include "common/tls_contexts.h"

namespace proxywatch {

enum class MtuVerdict {
  kNone,          // no sign of an MTU problem (all pass, or all fail alike)
  kInbound,       // large segments from the proxy towards us die
  kOutbound,      // large segments from us towards the proxy die
  kInconclusive,  // the three disagree in a way that names no direction
};

// "none", "inbound", "outbound", "inconclusive": the JSON and metric label spelling.
constexpr std::string_view to_string(MtuVerdict verdict) {
  switch (verdict) {
    case MtuVerdict::kNone:
      return "none";
    case MtuVerdict::kInbound:
      return "inbound";
    case MtuVerdict::kOutbound:
      return "outbound";
    case MtuVerdict::kInconclusive:
      return "inconclusive";
  }
  return "inconclusive";
}

// The MSS the clamped probe asks for: small enough to pass any sane path (RFC 879's 536).
inline constexpr std::uint32_t kClampedMss = 536;

// The three probes and what they say together.
struct MtuReport {
  ProbeResult normal;
  ProbeResult clamped;  // with ProbeSpec::clamp_mss = clamp_mss
  ProbeResult padded;   // with ProbeSpec::pad_client_hello
  std::uint32_t clamp_mss = kClampedMss;
  MtuVerdict verdict = MtuVerdict::kInconclusive;
};

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

// Runs the three probes of `spec` one after the other (never at once: they must not compete
// for the same path) and returns their report. `tls` is the context for the normal and clamped
// probes, `padded_tls` one made with ClientHelloPadding::kPadded for the same CA file. Never
// throws for network failures.
boost::asio::awaitable<MtuReport> run_mtu_comparison(ProbeSpec spec, TlsContexts::ContextPtr tls,
                                                     TlsContexts::ContextPtr padded_tls);

}  // namespace proxywatch
