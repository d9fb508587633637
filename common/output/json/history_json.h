// The one JSON encoding of what the history stage keeps: a diagnosis's evidence and a probe as
// the window remembers it (a Sample). The state file and /status.json both write and read these
// forms, so a sample has one shape everywhere: integers, units in the key names (docs/json.md).
#pragma once

#include <boost/json/object.hpp>

#include "common/history/pair_history.h"

namespace proxywatch {

// {"summary", "window_probes", "matching_probes", "outcomes", "phases", "cert_subject",
//  "cert_issuer", "expected_issuer", "verify_error", "mtu_direction", "mtu_detail"}.
boost::json::object evidence_json(const Evidence& evidence);
// Reads evidence_json's object; throws (json_fields.h) on a missing key or a wrong kind.
Evidence evidence_from_json(const boost::json::object& o);

// {"at_unix_ms", "outcome", "phase" (null when ok), "reset", "phases_us": {PHASE: us, ...}
//  (only the phases that ran), "total_us"}.
boost::json::object sample_json(const Sample& sample);
// Reads sample_json's object ("total_us" is derived and ignored); throws on an unknown
// outcome or phase, a negative duration or a time out of range.
Sample sample_from_json(const boost::json::object& o);

}  // namespace proxywatch
