// The JSON conventions every output shares (docs/json.md): integers only, durations in whole
// microseconds (`*_us`), times in milliseconds since the Unix epoch (`*_unix_ms`), null for
// "not known"; and the checked readers that turn a document a program wrote back into values.
// Boost.JSON does the parsing and serializing; this file only fixes our units and our errors.
// The readers throw JsonShapeError (or Boost.JSON's own exception for a wrong kind or a missing
// key); each document reader catches both at its top and returns the message as its error.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "common/probe_result.h"

namespace proxywatch {

using WallTime = std::chrono::system_clock::time_point;

// --- writing ---

// `duration` in whole microseconds (rounded), the unit of every `*_us` key.
std::int64_t json_micros(Seconds duration);
// `at` in milliseconds since the Unix epoch, the unit of every `*_unix_ms` key.
std::int64_t json_unix_ms(WallTime at);
// `value` serialized on one line.
std::string serialize(const boost::json::value& value);

// null for 0 / "" / nullopt, else the value: "not known" in every schema.
boost::json::value or_null(unsigned value);
boost::json::value or_null(const std::string& value);
boost::json::value time_or_null(const std::optional<WallTime>& at);
boost::json::value micros_or_null(const std::optional<double>& seconds);

// --- reading ---

// A document that parses but is not what was written: an unknown name, an impossible value.
struct JsonShapeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
[[noreturn]] void json_bad(const std::string& what);

// o[key] as a string / a non-negative 32-bit count; throws when missing or of another kind.
std::string json_text(const boost::json::object& o, std::string_view key);
std::uint32_t json_count(const boost::json::object& o, std::string_view key);
// A `*_unix_ms` value as a time; one outside what the clock can hold (negative, or past
// year 2262 where nanoseconds overflow) throws instead of wrapping into the past.
WallTime json_time(const boost::json::value& v);
std::optional<WallTime> json_optional_time(const boost::json::value& v);
// A `*_us` value (or null) as seconds; a negative one throws.
std::optional<double> json_seconds(const boost::json::value& v);

// `value` unless it is nullopt, which throws "unknown KIND 'NAME'" (for *_from_string names).
template <class T>
T json_named(std::optional<T> value, std::string_view kind, std::string_view name) {
  if (!value) json_bad(fmt::format("unknown {} '{}'", kind, name));
  return *value;
}

}  // namespace proxywatch
