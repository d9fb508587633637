// The machine-readable form of one probe (`proxywatch check --json`), built with Boost.JSON.
// The schema is public (docs/json.md): keys may be added, never renamed or removed. Numbers are
// integers only — durations in microseconds, times in milliseconds since the epoch, with the
// unit in the key's name — because Boost.JSON writes every double in exponent form (1.8E-4).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <boost/json/value.hpp>

#include "common/mtu_report.h"
#include "common/output/json/json_fields.h"
#include "common/probe_result.h"
#include "common/probe_spec.h"

namespace proxywatch {

// The JSON object for `result` of the probe `spec`. Credentials never appear in it.
boost::json::value to_json(const ProbeResult& result, const ProbeSpec& spec);

// `proxywatch check --mtu --json`: the normal probe's object with an "mtu" member:
// {"normal": OUTCOME, "clamped": OUTCOME, "padded": OUTCOME, "verdict": "none|inbound|outbound|
// inconclusive", "clamp_mss", "padded_hello_bytes", "diagnosis", "probes": {NAME: evidence}}.
boost::json::value to_json(const MtuReport& report, const ProbeSpec& spec);

}  // namespace proxywatch
