// Duration text <-> std::chrono::milliseconds, in integer arithmetic so "0.1s" is exactly 100ms.
#include "config/duration.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>

#include "common/error.h"

namespace proxywatch::config {
namespace {

struct Unit {
  std::string_view name;
  std::uint64_t millis;
};
// "ms" before "m" so the longest name wins.
constexpr std::array kUnits = {Unit{"ms", 1}, Unit{"s", 1'000}, Unit{"m", 60'000},
                               Unit{"h", 3'600'000}, Unit{"d", 86'400'000}};
constexpr std::string_view kUnitList = "ms, s, m, h or d";
constexpr std::uint64_t kMaxMillis = std::numeric_limits<Millis::rep>::max();
constexpr std::string_view kTooLarge = "too large (the limit is about 292 million years)";
// More fraction digits than this cannot be a whole number of milliseconds in any unit (an hour
// is 2^8 * 3^2 * 5^5 ms), and fewer keep the arithmetic below inside 64 bits.
constexpr std::size_t kMaxFractionDigits = 9;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::size_t count_digits(std::string_view text, std::size_t from) {
  std::size_t end = from;
  while (end < text.size() && is_digit(text[end])) ++end;
  return end - from;
}

// The number at the start of `text` as integer part and fraction digits; advances `pos`.
struct Number {
  std::string_view whole;
  std::string_view fraction;  // without the dot and without trailing zeros
};

Result<Number> read_number(std::string_view text, std::size_t& pos) {
  Number number{text.substr(pos, count_digits(text, pos)), {}};
  pos += number.whole.size();
  if (pos < text.size() && text[pos] == '.') {
    number.fraction = text.substr(pos + 1, count_digits(text, pos + 1));
    pos += 1 + number.fraction.size();
    if (number.fraction.empty()) return error_text("a '.' must be followed by digits");
  }
  // Units take every non-digit, so only the first part can lack its number.
  if (number.whole.empty() && number.fraction.empty()) {
    return error_text("a duration starts with a number, like 10s");
  }
  while (number.fraction.ends_with('0')) number.fraction.remove_suffix(1);
  return number;
}

Result<Unit> read_unit(std::string_view text, std::size_t& pos) {
  std::size_t end = pos;
  while (end < text.size() && !is_digit(text[end]) && text[end] != '.') ++end;
  std::string_view name = text.substr(pos, end - pos);
  if (name.empty())
    return error_text("missing unit after the number (use " + std::string(kUnitList) + ")");
  for (const Unit& unit : kUnits) {
    if (unit.name == name) {
      pos = end;
      return unit;
    }
  }
  return error_text("unknown unit \"" + std::string(name) + "\" (use " + std::string(kUnitList) +
                    ")");
}

// number * unit in milliseconds, or an error when it is too large or finer than 1 ms.
Result<std::uint64_t> to_millis(const Number& number, Unit unit) {
  const std::string too_large(kTooLarge);
  std::uint64_t whole = 0;
  if (!number.whole.empty()) {
    auto [end, ec] =
        std::from_chars(number.whole.data(), number.whole.data() + number.whole.size(), whole);
    if (ec != std::errc()) return error_text(too_large);
  }
  if (whole > kMaxMillis / unit.millis) return error_text(too_large);
  std::uint64_t millis = whole * unit.millis;
  if (number.fraction.empty()) return millis;
  if (number.fraction.size() > kMaxFractionDigits) return error_text("finer than a millisecond");
  std::uint64_t fraction = 0, scale = 1;
  std::from_chars(number.fraction.data(), number.fraction.data() + number.fraction.size(),
                  fraction);
  for (std::size_t i = 0; i < number.fraction.size(); ++i) scale *= 10;
  if (fraction * unit.millis % scale != 0) return error_text("finer than a millisecond");
  std::uint64_t extra = fraction * unit.millis / scale;
  if (millis > kMaxMillis - extra) return error_text(too_large);
  return millis + extra;
}

}  // namespace

Result<Millis> parse_duration(std::string_view text) {
  if (text.empty()) return error_text("empty duration (write e.g. 30s, 500ms, 2m or 1h)");
  if (text.starts_with('-')) return error_text("a duration cannot be negative");
  if (text.starts_with('+')) return error_text("a duration takes no sign");
  std::uint64_t total = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    auto number = read_number(text, pos);
    if (!number) return number.error();
    auto unit = read_unit(text, pos);
    if (!unit) return unit.error();
    auto millis = to_millis(*number, *unit);
    if (!millis) return millis.error();
    if (total > kMaxMillis - *millis) return error_text(std::string(kTooLarge));
    total += *millis;
  }
  return Millis(static_cast<Millis::rep>(total));
}

std::string format_duration(Millis duration) {
  if (duration == Millis::zero()) return "0s";
  // Through unsigned arithmetic so that even Millis::min() has a magnitude.
  auto count = static_cast<std::uint64_t>(duration.count());
  std::uint64_t ms = duration < Millis::zero() ? 0 - count : count;
  std::string out = duration < Millis::zero() ? "-" : "";
  if (ms >= 3'600'000) out += std::to_string(ms / 3'600'000) + "h";
  ms %= 3'600'000;
  if (ms >= 60'000) out += std::to_string(ms / 60'000) + "m";
  ms %= 60'000;
  if (ms == 0) return out;
  if (ms < 1'000 && (out.empty() || out == "-")) return out + std::to_string(ms) + "ms";
  std::string fraction = std::to_string(1'000 + ms % 1'000).substr(1);  // exactly three digits
  while (fraction.ends_with('0')) fraction.pop_back();
  out += std::to_string(ms / 1'000);
  if (!fraction.empty()) out += "." + fraction;
  return out + "s";
}

}  // namespace proxywatch::config
