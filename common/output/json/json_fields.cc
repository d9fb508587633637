// The shared JSON units and checked readers.
#include "common/output/json/json_fields.h"

#include <cmath>

#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>

namespace proxywatch {

namespace json = boost::json;

std::int64_t json_micros(Seconds duration) {
  return std::llround(duration.count() * 1e6);
}

std::int64_t json_unix_ms(WallTime at) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

std::string serialize(const json::value& value) {
  return json::serialize(value);
}

json::value or_null(unsigned value) {
  return value == 0 ? json::value() : json::value(value);
}

json::value or_null(const std::string& value) {
  return value.empty() ? json::value() : json::value(value);
}

json::value time_or_null(const std::optional<WallTime>& at) {
  return at ? json::value(json_unix_ms(*at)) : json::value();
}

json::value micros_or_null(const std::optional<double>& seconds) {
  // Only finite times: Boost.JSON would write infinity as `Infinity`, which is not JSON.
  if (!seconds || !std::isfinite(*seconds)) return nullptr;
  return json_micros(Seconds(*seconds));
}

void json_bad(const std::string& what) {
  throw JsonShapeError(what);
}

std::string json_text(const json::object& o, std::string_view key) {
  return std::string(o.at(key).as_string());
}

std::uint32_t json_count(const json::object& o, std::string_view key) {
  return json::value_to<std::uint32_t>(o.at(key));
}

WallTime json_time(const json::value& v) {
  constexpr std::int64_t kMaxMs =
      std::chrono::duration_cast<std::chrono::milliseconds>(WallTime::duration::max()).count();
  auto ms = v.to_number<std::int64_t>();
  if (ms < 0 || ms > kMaxMs) json_bad(fmt::format("time {} ms is out of range", ms));
  return WallTime(std::chrono::duration_cast<WallTime::duration>(std::chrono::milliseconds(ms)));
}

std::optional<WallTime> json_optional_time(const json::value& v) {
  if (v.is_null()) return std::nullopt;
  return json_time(v);
}

std::optional<double> json_seconds(const json::value& v) {
  if (v.is_null()) return std::nullopt;
  auto us = v.to_number<std::int64_t>();
  if (us < 0) json_bad(fmt::format("duration {} us is negative", us));
  return static_cast<double>(us) / 1e6;
}

}  // namespace proxywatch
