// The human form of one probe: the guide's timeline (TCP handshake → CONNECT → 200 → TLS →
// HTTP → close), one line per phase with its duration, then the outcome and the diagnosis.
#pragma once

#include <string>

#include "common/mtu_report.h"
#include "common/probe_result.h"
#include "common/probe_spec.h"

namespace proxywatch {

// The multi-line timeline of `result`, ending in a newline.
std::string format_timeline(const ProbeResult& result, const ProbeSpec& spec);

// `proxywatch check --mtu`: the normal probe's timeline, then one row per MTU probe (outcome,
// failing phase, time, MSS, path MTU, retransmits), the verdict and its diagnosis.
std::string format_mtu_timeline(const MtuReport& report, const ProbeSpec& spec);

}  // namespace proxywatch
