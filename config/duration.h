// Durations as configuration files write them: "30s", "500ms", "2m", "1h", "1.5s", "1h30m",
// "90d".
// Millisecond resolution, because every deadline and interval in proxywatch is in milliseconds.
#pragma once

#include <string>
#include <string_view>

#include <boost/system/result.hpp>

#include "common/error.h"
#include "common/probe_spec.h"

namespace proxywatch::config {

// Parses one or more NUMBER UNIT parts with nothing between them ("1h30m"); NUMBER is decimal
// digits with an optional fraction, UNIT one of ms, s, m, h, d (24 h). The result must be a whole number
// of milliseconds. Errors for empty text, a sign, a missing or unknown unit, sub-millisecond
// precision and overflow. The error says what is wrong without repeating the text, so callers
// can put it after their own "got \"...\"".
Result<Millis> parse_duration(std::string_view text);

// The shortest text parse_duration reads back as `duration` with units up to hours: "0s",
// "500ms", "30s", "1.5s", "2m", "1h30m", "1m0.5s", "48h". Negative durations get a leading '-' (which parse_duration refuses).
std::string format_duration(Millis duration);

}  // namespace proxywatch::config
