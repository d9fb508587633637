// The MTU comparison's vocabulary (DESIGN.md, mtu_suspected): the verdict three differential
// probes give and the report that carries them. The probe stage fills a report
// (common/probe/mtu_check.h); the history stage turns it into mtu_suspected, and the outputs print
// it — neither needs the engine that ran it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/probe_result.h"

namespace proxywatch {

enum class MtuVerdict {
  kNone,          // no sign of an MTU problem (all pass, or all fail alike)
  kInbound,       // large segments from the proxy towards us die
  kOutbound,      // large segments from us towards the proxy die
  kInconclusive,  // the three disagree in a way that names no direction
};
inline constexpr std::array kAllMtuVerdicts = {MtuVerdict::kNone, MtuVerdict::kInbound,
                                               MtuVerdict::kOutbound, MtuVerdict::kInconclusive};

// "none", "inbound", "outbound", "inconclusive": the JSON, state-file and metric label spelling.
std::string_view to_string(MtuVerdict verdict);
// Inverse of to_string; nullopt for an unknown name.
std::optional<MtuVerdict> mtu_verdict_from_string(std::string_view name);

// The MSS the clamped probe asks for: small enough to pass any sane path (RFC 879's 536).
inline constexpr std::uint32_t kClampedMss = 536;

// The three probes and what they say together.
struct MtuReport {
  ProbeResult normal;
  ProbeResult clamped;  // with ProbeSpec::clamp_mss = clamp_mss
  ProbeResult padded;   // with ProbeSpec::pad_client_hello
  std::uint32_t clamp_mss = kClampedMss;
  MtuVerdict verdict = MtuVerdict::kInconclusive;
  // The ClientHello padding the padded probe asked for, in bytes (from its send MSS).
  std::size_t padded_hello_bytes = 0;
  // One sentence for a human on what the verdict means and what to check next.
  std::string diagnosis;
};

}  // namespace proxywatch
