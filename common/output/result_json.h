// The machine-readable form of one probe (`proxywatch check --json`), built with Boost.JSON.
// The schema is public: keys may be added, never renamed or removed.
#pragma once

#include <string>

#include <boost/json/value.hpp>

#include "common/mtu_report.h"
#include "common/probe_result.h"
#include "common/probe_spec.h"

namespace proxywatch {

// The JSON object for `result` of the probe `spec`. Credentials never appear in it.
boost::json::value to_json(const ProbeResult& result, const ProbeSpec& spec);

// `proxywatch check --mtu --json`: the normal probe's object with an "mtu" member:
// {"normal": OUTCOME, "clamped": OUTCOME, "padded": OUTCOME, "verdict": "none|inbound|outbound|
// inconclusive", "clamp_mss", "padded_hello_bytes", "diagnosis", "probes": {NAME: evidence}}.
boost::json::value to_json(const MtuReport& report, const ProbeSpec& spec);

// `value` serialized on one line.
std::string serialize(const boost::json::value& value);

}  // namespace proxywatch
