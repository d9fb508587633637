// Reading a history request: durations with days, RFC 3339 times, the range and the filters.
#include "daemon/history_request.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <iterator>

#include <fmt/format.h>

#include "config/duration.h"

namespace proxywatch {
namespace {

using std::chrono::milliseconds;

constexpr std::string_view kHistoryTimeAdvice =
    "write a UTC time as 2026-12-04T02:00:00Z, or a date as 2026-12-04";
constexpr std::string_view kHistoryDurationAdvice = "write a duration as 90s, 30m, 6h, 7d or 1d12h";

// Reads exactly `digits` decimal digits at the front of `text`, consuming them.
std::optional<int> history_take_number(std::string_view& text, std::size_t digits) {
  if (text.size() < digits) return std::nullopt;
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + digits, value);
  if (ec != std::errc{} || end != text.data() + digits) return std::nullopt;
  text.remove_prefix(digits);
  return value;
}

bool history_take_char(std::string_view& text, std::string_view allowed) {
  if (text.empty() || allowed.find(text.front()) == std::string_view::npos) return false;
  text.remove_prefix(1);
  return true;
}

// "YYYY-MM-DD" as the days since the epoch.
std::optional<std::chrono::sys_days> history_take_date(std::string_view& text) {
  auto y = history_take_number(text, 4);
  if (!y || !history_take_char(text, "-")) return std::nullopt;
  auto m = history_take_number(text, 2);
  if (!m || !history_take_char(text, "-")) return std::nullopt;
  auto d = history_take_number(text, 2);
  if (!d) return std::nullopt;
  std::chrono::year_month_day date{std::chrono::year(*y),
                                   std::chrono::month(static_cast<unsigned>(*m)),
                                   std::chrono::day(static_cast<unsigned>(*d))};
  if (!date.ok()) return std::nullopt;
  return std::chrono::sys_days(date);
}

// "HH:MM[:SS[.fraction]]" as the time since midnight (the fraction kept to the millisecond).
std::optional<milliseconds> history_take_clock(std::string_view& text) {
  auto h = history_take_number(text, 2);
  if (!h || *h > 23 || !history_take_char(text, ":")) return std::nullopt;
  auto m = history_take_number(text, 2);
  if (!m || *m > 59) return std::nullopt;
  milliseconds at = std::chrono::hours(*h) + std::chrono::minutes(*m);
  if (!history_take_char(text, ":")) return at;
  auto s = history_take_number(text, 2);
  if (!s || *s > 60) return std::nullopt;  // 60: a leap second (RFC 3339 §5.6)
  at += std::chrono::seconds(*s);
  if (!history_take_char(text, ".")) return at;
  int scale = 100;
  std::size_t digits = 0;
  for (; digits < text.size() && text[digits] >= '0' && text[digits] <= '9'; ++digits) {
    at += milliseconds((text[digits] - '0') * scale);
    scale /= 10;
  }
  if (digits == 0) return std::nullopt;
  text.remove_prefix(digits);
  return at;
}

// "Z" or "+HH:MM" / "-HH:MM": what to subtract from local time to get UTC.
std::optional<milliseconds> history_take_offset(std::string_view& text) {
  if (history_take_char(text, "Zz")) return milliseconds(0);
  bool minus = !text.empty() && text.front() == '-';
  if (!history_take_char(text, "+-")) return std::nullopt;
  auto h = history_take_number(text, 2);
  if (!h || *h > 23 || !history_take_char(text, ":")) return std::nullopt;
  auto m = history_take_number(text, 2);
  if (!m || *m > 59) return std::nullopt;
  milliseconds offset = std::chrono::hours(*h) + std::chrono::minutes(*m);
  return minus ? -offset : offset;
}

// `value` of the parameter `name`, read as a time.
Result<WallTime> history_time_param(std::string_view prefix, std::string_view name,
                                    const std::string& value) {
  auto at = parse_history_time(value);
  if (!at) return error_text(fmt::format("{}{}: {}", prefix, name, at.error().message));
  return *at;
}

// The range [from, to) the parameters name; the error says which combination to write.
Result<std::pair<WallTime, WallTime>> parse_history_range(const HistoryParams& p, WallTime now,
                                                          std::string_view prefix) {
  if (p.since && (p.from || p.to)) {
    return error_text(
        fmt::format("{0}since cannot be given with {0}from or {0}to: write either "
                    "{0}since 6h or {0}from T {0}to T",
                    prefix));
  }
  if (p.since) {
    auto span = parse_history_duration(*p.since);
    if (!span) return error_text(fmt::format("{}since: {}", prefix, span.error().message));
    return std::pair{now - *span, now};
  }
  WallTime to = now;
  if (p.to) {
    auto at = history_time_param(prefix, "to", *p.to);
    if (!at) return at.error();
    to = *at;
  }
  WallTime from = to - kDefaultHistorySpan;
  if (p.from) {
    auto at = history_time_param(prefix, "from", *p.from);
    if (!at) return at.error();
    from = *at;
  }
  if (from >= to) {
    return error_text(
        fmt::format("{0}from must be before {0}to (the range is [from, to), "
                    "and {0}to defaults to now)",
                    prefix));
  }
  return std::pair{from, to};
}

bool history_matches_pair(const HistoryQuery& query, const ProbeStore::PairInfo& pair) {
  return (query.proxy.empty() || query.proxy == pair.proxy) &&
         (query.target.empty() || query.target == pair.target) &&
         (!query.service || *query.service == pair.service);
}

}  // namespace

std::string history_database_path(const std::string& state_dir) {
  return (std::filesystem::path(state_dir) / kProbeStoreFileName).string();
}

Result<milliseconds> parse_history_duration(std::string_view text) {
  // The YAML's durations, days included ("7d", "1d12h").
  auto parsed = config::parse_duration(text);
  if (!parsed) {
    return error_text(fmt::format("\"{}\" is not a duration ({}): {}", text, parsed.error().message,
                                  kHistoryDurationAdvice));
  }
  if (parsed->count() <= 0)
    return error_text(fmt::format("\"{}\" is empty: {}", text, kHistoryDurationAdvice));
  return *parsed;
}

Result<WallTime> parse_history_time(std::string_view text) {
  std::string_view rest = text;
  auto date = history_take_date(rest);
  if (!date) return error_text(fmt::format("\"{}\" is not a time: {}", text, kHistoryTimeAdvice));
  if (rest.empty()) return WallTime(*date);
  std::optional<milliseconds> clock;
  std::optional<milliseconds> offset;
  if (history_take_char(rest, "Tt ")) clock = history_take_clock(rest);
  if (clock) offset = history_take_offset(rest);
  if (!clock || !offset || !rest.empty()) {
    return error_text(fmt::format("\"{}\" is not a time (RFC 3339 needs the zone, Z for UTC): {}",
                                  text, kHistoryTimeAdvice));
  }
  return WallTime(*date) + *clock - *offset;
}

Result<HistoryQuery> parse_history_params(const HistoryParams& params, WallTime now,
                                          std::string_view prefix) {
  auto range = parse_history_range(params, now, prefix);
  if (!range) return range.error();
  HistoryQuery query;
  query.from = range->first;
  query.to = range->second;
  query.proxy = params.proxy.value_or("");
  query.target = params.target.value_or("");
  query.failures_only = params.failures;
  if (params.service) {
    query.service = service_from_string(*params.service);
    if (!query.service) {
      std::string names;
      for (Service s : kAllServices)
        names += fmt::format("{}{}", names.empty() ? "" : ", ", to_string(s));
      return error_text(fmt::format("{}service: unknown service \"{}\": write one of {}", prefix,
                                    *params.service, names));
    }
  }
  return query;
}

Result<HistoryReport> read_history(const ProbeStore& store, HistoryQuery query,
                                   std::size_t max_probes) {
  HistoryReport report{.query = query};
  // One more than the limit tells whether the limit cut anything.
  query.limit = max_probes + 1;
  auto probes = store.probes(query);
  if (!probes) return probes.error();
  report.probes = std::move(*probes);
  if (report.probes.size() > max_probes) {
    report.truncated = true;
    report.probes.erase(report.probes.begin());  // the oldest: the newest are kept
  }
  auto pairs = store.pairs();
  if (!pairs) return pairs.error();
  for (ProbeStore::PairInfo& pair : *pairs) {
    if (history_matches_pair(query, pair)) report.pairs.push_back(std::move(pair));
  }
  auto health = store.health(query);
  if (!health) return health.error();
  auto diagnoses = store.diagnoses(query);
  if (!diagnoses) return diagnoses.error();
  // Intervals belong to (proxy, target); a --service filter keeps those of its pairs.
  auto listed = [&](const auto& interval) {
    return std::any_of(report.pairs.begin(), report.pairs.end(), [&](const auto& pair) {
      return pair.proxy == interval.proxy && pair.target == interval.target;
    });
  };
  std::copy_if(health->begin(), health->end(), std::back_inserter(report.health), listed);
  std::copy_if(diagnoses->begin(), diagnoses->end(), std::back_inserter(report.diagnoses), listed);
  return report;
}

}  // namespace proxywatch
