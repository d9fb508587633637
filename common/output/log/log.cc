// Sink selection (journal or stderr), and the two renderings of a structured event: journal
// fields for sd_journal_sendv and one stderr line through spdlog.
//
// Location fields (CODE_FILE ...) would always name this file, so they are suppressed.
#define SD_JOURNAL_SUPPRESS_LOCATION
#include "common/output/log/log.h"

#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-journal.h>

#include "common/escape.h"
#include "common/output/log/log_format.h"

namespace proxywatch {
namespace {

constexpr const char* kLoggerName = "proxywatch";
constexpr const char* kSyslogIdentifier = "proxywatch";
constexpr const char* kStderrPattern = "%Y-%m-%dT%H:%M:%S.%e %l %v";
constexpr std::size_t kMaxValueBytes = 1024;

// Set by init_logging before any thread logs, read by log_event from any thread.
std::atomic<bool> to_journal{false};
std::atomic<LogFormat> stderr_format{LogFormat::kPlain};

void install_logger(std::shared_ptr<spdlog::sinks::sink> sink, spdlog::level::level_enum level) {
  auto logger = std::make_shared<spdlog::logger>(kLoggerName, std::move(sink));
  logger->set_level(level);
  spdlog::set_default_logger(std::move(logger));
}

// Gives `sink` the look of `format`.
void set_format(spdlog::sinks::sink& sink, LogFormat format) {
  if (format == LogFormat::kPlain) {
    sink.set_pattern(kStderrPattern);
  } else {
    sink.set_formatter(log_detail::make_structured_formatter(format));
  }
}

std::shared_ptr<spdlog::sinks::sink> stderr_sink(LogFormat format) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  set_format(*sink, format);
  return sink;
}

template <typename Number>
bool parse_decimal(std::string_view text, Number& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

// The set fields of `event` as (name, raw value) pairs, in declaration order.
std::vector<std::pair<std::string_view, std::string>> event_fields(const Event& event) {
  std::vector<std::pair<std::string_view, std::string>> fields;
  auto add = [&](std::string_view name, const std::string& value) {
    if (!value.empty()) fields.emplace_back(name, value);
  };
  add("PROXY", event.proxy);
  add("TARGET", event.target);
  add("OUTCOME", event.outcome);
  add("PHASE", event.phase);
  if (event.duration_ms) fields.emplace_back("DURATION_MS", std::to_string(*event.duration_ms));
  for (const Field& field : event.extra) add(field.name.view(), field.value);
  return fields;
}

bool send_to_journal(const Event& event) {
  std::vector<std::string> fields = journal_fields(event);
  std::vector<iovec> iov;
  iov.reserve(fields.size());
  for (std::string& field : fields) iov.push_back(iovec{field.data(), field.size()});
  return sd_journal_sendv(iov.data(), static_cast<int>(iov.size())) == 0;
}

}  // namespace

std::optional<LogTarget> parse_log_target(std::string_view text) {
  if (text == "auto") return LogTarget::kAuto;
  if (text == "journal") return LogTarget::kJournal;
  if (text == "stderr") return LogTarget::kStderr;
  return std::nullopt;
}

std::optional<LogFormat> parse_log_format(std::string_view text) {
  if (text == "logfmt") return LogFormat::kLogfmt;
  if (text == "json") return LogFormat::kJson;
  return std::nullopt;
}

void init_logging(LogTarget target, spdlog::level::level_enum level, LogFormat format) {
  bool journal =
      target == LogTarget::kJournal || (target == LogTarget::kAuto && stderr_is_journal_stream());
  // Without journald (a container, a chroot) every message sent there would be lost, a failed
  // start's error included: stderr instead, saying so.
  const bool unreachable = journal && !journald_reachable();
  if (unreachable) journal = false;
  if (journal) {
    // Formatting off: the journal stores time, level and identifier as fields of its own.
    install_logger(std::make_shared<spdlog::sinks::systemd_sink_mt>(kSyslogIdentifier, false),
                   level);
  } else {
    install_logger(stderr_sink(format), level);
  }
  to_journal.store(journal);
  stderr_format.store(format);
  if (unreachable) {
    spdlog::warn("journald is not reachable ({} is no socket); logging to stderr instead",
                 kJournalSocket);
  }
}

bool journald_reachable() {
  struct stat info {};
  return ::stat(kJournalSocket, &info) == 0 && S_ISSOCK(info.st_mode);
}

void init_logging_for_test(std::shared_ptr<spdlog::sinks::sink> sink,
                           spdlog::level::level_enum level, LogFormat format) {
  set_format(*sink, format);
  install_logger(std::move(sink), level);
  to_journal.store(false);
  stderr_format.store(format);
}

void set_log_level(spdlog::level::level_enum level) {
  spdlog::default_logger()->set_level(level);
}

bool logging_to_journal() {
  return to_journal.load();
}

bool journal_stream_matches(std::optional<std::string_view> journal_stream, dev_t dev, ino_t ino) {
  if (!journal_stream) return false;
  std::size_t colon = journal_stream->find(':');
  if (colon == std::string_view::npos) return false;
  dev_t stream_dev{};
  ino_t stream_ino{};
  return parse_decimal(journal_stream->substr(0, colon), stream_dev) &&
         parse_decimal(journal_stream->substr(colon + 1), stream_ino) && stream_dev == dev &&
         stream_ino == ino;
}

bool stderr_is_journal_stream() {
  const char* value = std::getenv("JOURNAL_STREAM");
  struct stat info {};
  if (value == nullptr || fstat(STDERR_FILENO, &info) != 0) return false;
  return journal_stream_matches(std::string_view(value), info.st_dev, info.st_ino);
}

spdlog::level::level_enum to_spdlog_level(Priority priority) {
  switch (priority) {
    case Priority::kEmergency:
    case Priority::kAlert:
    case Priority::kCritical:
      return spdlog::level::critical;
    case Priority::kError:
      return spdlog::level::err;
    case Priority::kWarning:
      return spdlog::level::warn;
    case Priority::kNotice:
    case Priority::kInfo:
      return spdlog::level::info;
    case Priority::kDebug:
      return spdlog::level::debug;
  }
  return spdlog::level::info;
}

std::string sanitize_value(std::string_view value) {
  return escape_control(value, kMaxValueBytes);
}

std::string render_event_line(const Event& event) {
  std::string line = sanitize_value(event.message);
  auto fields = event_fields(event);
  if (fields.empty()) return line;
  line += " (";
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += ' ';
    line +=
        fmt::format("{}={}", fields[i].first, quoted_if_needed(sanitize_value(fields[i].second)));
  }
  return line + ")";
}

std::vector<std::string> journal_fields(const Event& event) {
  std::vector<std::string> out = {
      fmt::format("MESSAGE_ID={}", event.id.hex()),
      fmt::format("PRIORITY={}", static_cast<int>(event.priority)),
      "MESSAGE=" + sanitize_value(event.message),
      fmt::format("SYSLOG_IDENTIFIER={}", kSyslogIdentifier),
  };
  for (const auto& [name, value] : event_fields(event)) {
    out.push_back(fmt::format("{}={}", name, sanitize_value(value)));
  }
  return out;
}

void log_event(const Event& event) {
  auto logger = spdlog::default_logger();
  spdlog::level::level_enum level = to_spdlog_level(event.priority);
  if (!logger->should_log(level)) return;
  if (logging_to_journal() && send_to_journal(event)) return;
  if (stderr_format.load() == LogFormat::kPlain)
    return logger->log(level, render_event_line(event));
  auto fields = event_fields(event);
  fields.emplace(fields.begin(), "MESSAGE_ID", std::string(event.id.hex()));
  log_detail::EventFieldsScope scope(fields);
  logger->log(level, event.message);
}

}  // namespace proxywatch
