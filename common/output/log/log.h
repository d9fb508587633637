// Logging for the daemon and the CLI: spdlog everywhere, to the journal when systemd connected
// stderr to it (JOURNAL_STREAM, systemd.exec(5)) and to stderr with a plain timestamped pattern
// otherwise. State changes are structured events (log_event) with a stable MESSAGE_ID and
// fields such as PROXY, TARGET, OUTCOME, so `journalctl MESSAGE_ID=...` finds every one of a
// kind; docs/journal.md lists the ids.
//
// Secrets rule: no function here takes a password, and events carry only the caller's
// non-secret data. Field names are checked at compile time (FieldName is consteval), and names
// that suggest a secret (PASSWORD, SECRET, TOKEN, AUTHORIZATION, CREDENTIAL, COOKIE ...) do not
// compile — a tripwire, not a proof: never put a credential into any value.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/common.h>
#include <sys/types.h>

namespace spdlog::sinks {
class sink;
}

namespace proxywatch {

// Where log lines go. kAuto: the journal when stderr is the journal stream systemd set up
// for this process, stderr otherwise.
enum class LogTarget { kAuto, kJournal, kStderr };

// "auto", "journal", "stderr" (command-line spelling); nullopt for anything else.
std::optional<LogTarget> parse_log_target(std::string_view text);

// How lines written to stderr look (--log.format). kPlain: `2024-05-01T12:00:00.123 info
// message (PROXY=...)` in local time; kLogfmt and kJson: Prometheus' exporters' lines, in UTC,
// with an event's fields as keys of their own (log_format.h). The journal keeps its fields
// whatever the format.
enum class LogFormat { kPlain, kLogfmt, kJson };

// "logfmt", "json" (the --log.format values); nullopt for anything else.
std::optional<LogFormat> parse_log_format(std::string_view text);

// Replaces spdlog's default logger (name "proxywatch") with one writing to `target` at `level`.
// The journal sink sends SYSLOG_IDENTIFIER=proxywatch and PRIORITY from the level; the stderr
// sink writes lines in `format`. When the journal is chosen but journald is not reachable
// (journald_reachable), stderr is used instead and a warning says so. Call once at start-up,
// before other threads log; not thread-safe.
void init_logging(LogTarget target, spdlog::level::level_enum level,
                  LogFormat format = LogFormat::kPlain);

// Where journald listens for messages (sd-journal's native socket).
inline constexpr const char* kJournalSocket = "/run/systemd/journal/socket";
// Whether kJournalSocket is a socket: false in a container or chroot without journald.
bool journald_reachable();

// Like init_logging(kStderr, level, format) but writing to `sink`, so tests can capture lines
// through an ostream sink. Not thread-safe.
void init_logging_for_test(std::shared_ptr<spdlog::sinks::sink> sink,
                           spdlog::level::level_enum level = spdlog::level::trace,
                           LogFormat format = LogFormat::kPlain);

// Changes the level of the default logger (on reload). Thread-safe.
void set_log_level(spdlog::level::level_enum level);

// Whether init_logging chose the journal; events then go through sd_journal_sendv.
bool logging_to_journal();

// True when `journal_stream` (the JOURNAL_STREAM value, "DEVICE:INODE" in decimal) names the
// file with device `dev` and inode `ino`. False for nullopt, empty or malformed values.
bool journal_stream_matches(std::optional<std::string_view> journal_stream, dev_t dev, ino_t ino);

// journal_stream_matches() applied to this process's JOURNAL_STREAM and fstat(2) of stderr.
bool stderr_is_journal_stream();

// Whether `name` may be a field of an event: 1-64 characters of A-Z, 0-9 and '_', not starting
// with '_' (journald's trusted fields) or a digit, not a field proxywatch sets itself (MESSAGE,
// PRIORITY, PROXY ...; see kReservedFieldNames) and not containing a word that suggests a secret.
constexpr bool is_valid_field_name(std::string_view name);

// A field name checked at compile time: only string literals that pass is_valid_field_name
// compile, so a key can never come from runtime data.
class FieldName {
 public:
  // Compile error unless is_valid_field_name(name).
  consteval FieldName(const char* name) : name_(name) {
    if (!is_valid_field_name(name_)) throw "invalid journal field name";
  }
  constexpr std::string_view view() const { return name_; }

 private:
  std::string_view name_;
};

// A journal MESSAGE_ID: 128 bits as 32 lower-case hex digits, checked at compile time.
class MessageId {
 public:
  // Compile error unless `hex` is exactly 32 characters of 0-9a-f.
  consteval MessageId(const char* hex) : hex_(hex) {
    if (hex_.size() != 32 || hex_.find_first_not_of("0123456789abcdef") != hex_.npos) {
      throw "a MESSAGE_ID is 32 lower-case hex digits";
    }
  }
  constexpr std::string_view hex() const { return hex_; }
  friend constexpr bool operator==(MessageId a, MessageId b) { return a.hex_ == b.hex_; }

 private:
  std::string_view hex_;
};

// The kinds of state change, one MESSAGE_ID each (generated with `systemd-id128 new`; never
// change or reuse one: operators' queries and alerts depend on them). See docs/journal.md.
// The ids from kHealthChanged on were made with python3 -c 'import uuid;print(uuid.uuid4().hex)'.
// Retired, never to be reused: a1f1ed99da254f2e89a41359b1c5da8f (probe_failing) and
// 60ea3cd57ea143c88f2814587a91c964 (probe_recovered), replaced by kProbeOutcomeChanged.
namespace message_ids {
inline constexpr MessageId kProbeOutcomeChanged{"d1d245386690401bb7437c165cf3fd6b"};
inline constexpr MessageId kProxyChanged{"80f98162051c4052a3d30d3725c29d05"};
inline constexpr MessageId kProxyDisabled{"3af9f4a913be4ac6b9703e50fd14e298"};
inline constexpr MessageId kConfigRejected{"c08233dd6da5411383568ddbceab40f1"};
inline constexpr MessageId kConfigApplied{"aa8c20a9d24f4b2cbb3c80643e326e82"};
inline constexpr MessageId kDaemonStarted{"b0b66d6131fd4248981e82eea3b0b52f"};
inline constexpr MessageId kDaemonStopping{"02e76f5d746e48ab8e76168cd2408631"};
inline constexpr MessageId kHealthChanged{"d53e7a4a09d34d31b9f99c743510eea5"};
inline constexpr MessageId kDiagnosisRaised{"aa835c9b8ab0411d96423fc631be0545"};
inline constexpr MessageId kDiagnosisCleared{"ead306a7d06b4750adb0ec60a4823333"};
inline constexpr MessageId kStateFileSetAside{"d23fd6c46dd04c39bbacc799cfc61167"};
inline constexpr MessageId kCaptureUnavailable{"2a6d69441f004a32ba1fd829547d60f6"};
}  // namespace message_ids

// syslog(3) priorities, the journal's PRIORITY= values.
enum class Priority {
  kEmergency = 0,
  kAlert = 1,
  kCritical = 2,
  kError = 3,
  kWarning = 4,
  kNotice = 5,
  kInfo = 6,
  kDebug = 7,
};

// The spdlog level a priority is filtered and printed at (notice prints as info).
spdlog::level::level_enum to_spdlog_level(Priority priority);

// One free-form field of an event. The value is sanitized when sent.
struct Field {
  FieldName name;
  std::string value;
};

// A structured state change, meant for designated initializers:
//   log_event({.id = message_ids::kProbeOutcomeChanged, .priority = Priority::kInfo,
//              .message = "...", .target = name, .outcome = "proxy_denied"});
// Empty strings and an empty duration are left out. Values are the caller's data and must never
// hold a secret. (The `{}` initializers keep GCC's -Wmissing-field-initializers quiet about
// members a designated initializer leaves out.)
struct Event {
  MessageId id;
  Priority priority = Priority::kInfo;
  std::string message{};                      // MESSAGE: one human sentence
  std::string proxy{};                        // PROXY: host:port of the proxy
  std::string target{};                       // TARGET: the target's name
  std::string outcome{};                      // OUTCOME: e.g. proxy_denied
  std::string phase{};                        // PHASE: e.g. proxy_connect
  std::optional<std::int64_t> duration_ms{};  // DURATION_MS
  std::vector<Field> extra{};                 // anything else, e.g. {"STATUS_CODE", "403"}
};

// Fields proxywatch or journald set themselves; FieldName refuses them.
inline constexpr std::string_view kReservedFieldNames[] = {
    "MESSAGE",         "MESSAGE_ID", "PRIORITY",   "SYSLOG_IDENTIFIER",
    "SYSLOG_FACILITY", "SYSLOG_PID", "CODE_FILE",  "CODE_LINE",
    "CODE_FUNC",       "ERRNO",      "PROXY",      "TARGET",
    "OUTCOME",         "PHASE",      "DURATION_MS"};

// Substrings that make a field name look like it holds a secret; FieldName refuses them.
inline constexpr std::string_view kSecretFieldWords[] = {
    "PASSWORD", "PASSWD", "SECRET", "TOKEN", "AUTHORIZATION", "CREDENTIAL", "COOKIE"};

// Makes `value` safe for one log line and one journal field: escape_control (common/escape.h)
// with the journal's limit of 1024 bytes per value.
std::string sanitize_value(std::string_view value);

// The stderr form of an event: `message (PROXY=a TARGET=b OUTCOME=c ...)`, sanitized; values
// with spaces, quotes, parentheses or '=' are double-quoted with \" and \\ escaped. Just the
// message when the event has no fields.
std::string render_event_line(const Event& event);

// What log_event sends to the journal, "KEY=value" each: MESSAGE_ID, PRIORITY, MESSAGE,
// SYSLOG_IDENTIFIER=proxywatch, then the set fields in declaration order, sanitized.
std::vector<std::string> journal_fields(const Event& event);

// Logs `event` unless the default logger's level filters its priority out: to the journal
// with journal_fields() when logging_to_journal(), else through spdlog: render_event_line() in
// the plain format, the message with MESSAGE_ID and the fields as keys in logfmt and JSON.
// If the journal refuses the event, it is logged through spdlog instead. Thread-safe.
void log_event(const Event& event);

// --- constexpr definitions ---

constexpr bool is_valid_field_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '_') return false;
  if (name.front() >= '0' && name.front() <= '9') return false;
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  for (std::string_view reserved : kReservedFieldNames) {
    if (name == reserved) return false;
  }
  for (std::string_view word : kSecretFieldWords) {
    if (name.find(word) != std::string_view::npos) return false;
  }
  return true;
}

}  // namespace proxywatch
