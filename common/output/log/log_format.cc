// logfmt and JSON lines for stderr: the time in UTC with milliseconds, the level as Prometheus'
// exporters name it, the message and an event's fields, each value sanitized (sanitize_value)
// and then quoted as its format requires.
#include "common/output/log/log_format.h"

#include <cctype>
#include <chrono>
#include <ctime>

#include <fmt/format.h>
#include <spdlog/details/log_msg.h>

namespace proxywatch::log_detail {
namespace {

thread_local const EventFields* current_fields = nullptr;

// "2026-12-05T12:00:00.123Z"
std::string utc_timestamp(std::chrono::system_clock::time_point time) {
  const auto since_epoch = time.time_since_epoch();
  const std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000;
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                     static_cast<int>(millis < 0 ? millis + 1000 : millis));
}

// go-kit's names (debug, info, warn, error), and spdlog's for the two it lacks.
std::string_view level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    case spdlog::level::critical:
      return "critical";
    default:
      return "info";
  }
}

std::string lower(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A logfmt value: as it is, or in double quotes with '"' and '\\' escaped when it is empty or
// holds a space, '"', '=' or '\\'. Not in_quotes(): that cuts at 256 bytes and escapes UTF-8.
std::string logfmt_value(std::string_view text) {
  if (!text.empty() && text.find_first_of(" \"=\\") == std::string_view::npos) {
    return std::string(text);
  }
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// A JSON string (RFC 8259 §7) of `text`, which sanitize_value already rid of control bytes.
std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

class StructuredFormatter final : public spdlog::formatter {
 public:
  explicit StructuredFormatter(LogFormat format) : format_(format) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::vector<std::pair<std::string, std::string>> fields = {
        {"ts", utc_timestamp(msg.time)},
        {"level", std::string(level_name(msg.level))},
        {"msg", sanitize_value(std::string_view(msg.payload.data(), msg.payload.size()))}};
    if (current_fields) {
      for (const auto& [name, value] : *current_fields) {
        fields.emplace_back(lower(name), sanitize_value(value));
      }
    }
    std::string line = format_ == LogFormat::kJson ? json_line(fields) : logfmt_line(fields);
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<StructuredFormatter>(format_);
  }

 private:
  static std::string logfmt_line(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string line;
    for (const auto& [name, value] : fields) {
      if (!line.empty()) line += ' ';
      line += name + "=" + logfmt_value(value);
    }
    return line + "\n";
  }

  static std::string json_line(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string line = "{";
    for (const auto& [name, value] : fields) {
      if (line.size() > 1) line += ',';
      line += json_string(name) + ":" + json_string(value);
    }
    return line + "}\n";
  }

  LogFormat format_;
};

}  // namespace

std::unique_ptr<spdlog::formatter> make_structured_formatter(LogFormat format) {
  return std::make_unique<StructuredFormatter>(format);
}

EventFieldsScope::EventFieldsScope(const EventFields& fields) : previous_(current_fields) {
  current_fields = &fields;
}

EventFieldsScope::~EventFieldsScope() {
  current_fields = previous_;
}

}  // namespace proxywatch::log_detail
