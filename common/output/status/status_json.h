// `/status.json`: the status snapshot for machines, and its reading back for `proxywatch
// status`. The schema is public and documented in docs/json.md: keys may be added, never
// renamed or removed. Numbers are integers only (durations `*_us`, times `*_unix_ms`), as in
// `check --json`. No password can appear: the snapshot holds none.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "common/error.h"
#include "common/output/status/status_snapshot.h"

namespace proxywatch {

// The JSON document of `snapshot` ("format": "proxywatch-status", "version": 1).
boost::json::value to_json(const StatusSnapshot& snapshot);

// Parses what to_json wrote (serialized) back into a snapshot; an error names what is wrong.
// Durations come back rounded to microseconds and times to milliseconds.
Result<StatusSnapshot> status_from_json(std::string_view text);

}  // namespace proxywatch
