// Tests for common/log: field-name rules, value sanitization, the stderr rendering of events
// (captured through an ostream sink), the journal payload and JOURNAL_STREAM detection.
#include "common/output/log/log.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

namespace proxywatch {
namespace {

// Compile-time checks: these literals are accepted by FieldName and MessageId.
static_assert(FieldName("STATUS_CODE").view() == "STATUS_CODE");
static_assert(MessageId("0123456789abcdef0123456789abcdef").hex().size() == 32);

TEST(FieldNameTest, AcceptsUpperCaseDigitsAndUnderscore) {
  EXPECT_TRUE(is_valid_field_name("STATUS_CODE"));
  EXPECT_TRUE(is_valid_field_name("A"));
  EXPECT_TRUE(is_valid_field_name("TLS_V13"));
  EXPECT_TRUE(is_valid_field_name(std::string(64, 'X')));
}

TEST(FieldNameTest, RefusesWhatJournaldRefuses) {
  EXPECT_FALSE(is_valid_field_name(""));
  EXPECT_FALSE(is_valid_field_name("_PID"));         // trusted, set by journald
  EXPECT_FALSE(is_valid_field_name("1ST"));          // leading digit
  EXPECT_FALSE(is_valid_field_name("status_code"));  // lower case
  EXPECT_FALSE(is_valid_field_name("STATUS-CODE"));  // '-'
  EXPECT_FALSE(is_valid_field_name("STATUS CODE"));  // space
  EXPECT_FALSE(is_valid_field_name("KEY=VALUE"));    // '='
  EXPECT_FALSE(is_valid_field_name(std::string(65, 'X')));
}

TEST(FieldNameTest, RefusesFieldsProxywatchSetsItself) {
  for (std::string_view name : {"MESSAGE", "MESSAGE_ID", "PRIORITY", "SYSLOG_IDENTIFIER", "PROXY",
                                "TARGET", "OUTCOME", "PHASE", "DURATION_MS"}) {
    EXPECT_FALSE(is_valid_field_name(name)) << name;
  }
}

TEST(FieldNameTest, RefusesNamesThatSuggestSecrets) {
  for (std::string_view name : {"PASSWORD", "PROXY_PASSWORD", "PASSWD", "CLIENT_SECRET", "TOKEN",
                                "PROXY_AUTHORIZATION", "CREDENTIALS", "SET_COOKIE"}) {
    EXPECT_FALSE(is_valid_field_name(name)) << name;
  }
}

TEST(SanitizeValueTest, EscapesControlCharacters) {
  EXPECT_EQ(sanitize_value("a\nb"), "a\\nb");
  EXPECT_EQ(sanitize_value("a\r\n\tb"), "a\\r\\n\\tb");
  EXPECT_EQ(sanitize_value(std::string_view("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(sanitize_value("\x1b[31mred"), "\\x1b[31mred");
  EXPECT_EQ(sanitize_value("del\x7f"), "del\\x7f");
}

TEST(SanitizeValueTest, KeepsPrintableTextAndUtf8) {
  EXPECT_EQ(sanitize_value("Verbindung hergestellt: Grüße"), "Verbindung hergestellt: Grüße");
  EXPECT_EQ(sanitize_value(""), "");
}

TEST(SanitizeValueTest, CutsLongValuesAtUtf8Boundary) {
  std::string long_value(1023, 'a');
  long_value += "ü";  // two bytes straddling the 1024-byte limit
  long_value += "tail";
  std::string out = sanitize_value(long_value);
  EXPECT_EQ(out, std::string(1023, 'a') + "...");
  EXPECT_EQ(sanitize_value(std::string(1024, 'b')), std::string(1024, 'b'));
}

Event sample_event() {
  return Event{.id = message_ids::kProbeOutcomeChanged,
               .priority = Priority::kWarning,
               .message = "probe failing",
               .proxy = "10.10.10.1:80",
               .target = "tools.cisco.com:443",
               .outcome = "proxy_denied",
               .phase = "proxy_connect",
               .duration_ms = 12,
               .extra = {{"STATUS_CODE", "403"}, {"DIAGNOSIS", "the proxy's ACL (x=1)"}}};
}

TEST(RenderEventLineTest, MessageThenFieldsInParentheses) {
  EXPECT_EQ(render_event_line(sample_event()),
            "probe failing (PROXY=10.10.10.1:80 TARGET=tools.cisco.com:443 "
            "OUTCOME=proxy_denied PHASE=proxy_connect DURATION_MS=12 STATUS_CODE=403 "
            "DIAGNOSIS=\"the proxy's ACL (x=1)\")");
}

TEST(RenderEventLineTest, LeavesOutUnsetFields) {
  Event event{.id = message_ids::kDaemonStarted, .message = "started"};
  EXPECT_EQ(render_event_line(event), "started");
  event.target = "t";
  event.extra.push_back({"EMPTY", ""});
  EXPECT_EQ(render_event_line(event), "started (TARGET=t)");
}

TEST(RenderEventLineTest, CannotBeSplitIntoTwoLines) {
  Event event{.id = message_ids::kConfigRejected,
              .message = "rejected\nfake line",
              .proxy = "evil\"\nPROXY=x"};
  EXPECT_EQ(render_event_line(event), "rejected\\nfake line (PROXY=\"evil\\\"\\\\nPROXY=x\")");
}

TEST(JournalFieldsTest, CarriesIdPriorityIdentifierAndFields) {
  std::vector<std::string> expected = {"MESSAGE_ID=d1d245386690401bb7437c165cf3fd6b",
                                       "PRIORITY=4",
                                       "MESSAGE=probe failing",
                                       "SYSLOG_IDENTIFIER=proxywatch",
                                       "PROXY=10.10.10.1:80",
                                       "TARGET=tools.cisco.com:443",
                                       "OUTCOME=proxy_denied",
                                       "PHASE=proxy_connect",
                                       "DURATION_MS=12",
                                       "STATUS_CODE=403",
                                       "DIAGNOSIS=the proxy's ACL (x=1)"};
  EXPECT_EQ(journal_fields(sample_event()), expected);
}

TEST(JournalFieldsTest, SanitizesValues) {
  Event event{.id = message_ids::kProxyChanged, .message = "a\nb", .proxy = "p\r"};
  auto fields = journal_fields(event);
  EXPECT_EQ(fields.at(2), "MESSAGE=a\\nb");
  EXPECT_EQ(fields.at(4), "PROXY=p\\r");
}

TEST(MessageIdTest, AllIdsAreDistinct) {
  const MessageId ids[] = {message_ids::kProbeOutcomeChanged, message_ids::kProxyChanged,
                           message_ids::kProxyDisabled,       message_ids::kConfigRejected,
                           message_ids::kConfigApplied,       message_ids::kDaemonStarted,
                           message_ids::kDaemonStopping,      message_ids::kHealthChanged,
                           message_ids::kDiagnosisRaised,     message_ids::kDiagnosisCleared,
                           message_ids::kStateFileSetAside};
  for (std::size_t i = 0; i < std::size(ids); ++i) {
    for (std::size_t j = i + 1; j < std::size(ids); ++j) EXPECT_FALSE(ids[i] == ids[j]);
  }
}

TEST(PriorityTest, MapsToSpdlogLevels) {
  EXPECT_EQ(to_spdlog_level(Priority::kCritical), spdlog::level::critical);
  EXPECT_EQ(to_spdlog_level(Priority::kError), spdlog::level::err);
  EXPECT_EQ(to_spdlog_level(Priority::kWarning), spdlog::level::warn);
  EXPECT_EQ(to_spdlog_level(Priority::kNotice), spdlog::level::info);
  EXPECT_EQ(to_spdlog_level(Priority::kDebug), spdlog::level::debug);
}

// Captures the default logger's output for one test and restores a stderr logger after it.
class CapturedLog : public ::testing::Test {
 protected:
  void SetUp() override {
    init_logging_for_test(std::make_shared<spdlog::sinks::ostream_sink_st>(out_),
                          spdlog::level::info);
  }
  void TearDown() override { init_logging(LogTarget::kStderr, spdlog::level::info); }
  std::ostringstream out_;
};

TEST_F(CapturedLog, EventIsOneStderrLineWithTimestampAndLevel) {
  log_event(sample_event());
  EXPECT_FALSE(logging_to_journal());
  std::string text = out_.str();
  EXPECT_TRUE(std::regex_match(
      text, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3} warning probe failing )"
                       R"(\(PROXY=10\.10\.10\.1:80 .*STATUS_CODE=403 .*\)\n)")))
      << text;
}

TEST_F(CapturedLog, EventBelowTheLevelIsDropped) {
  log_event(
      Event{.id = message_ids::kConfigApplied, .priority = Priority::kDebug, .message = "quiet"});
  EXPECT_EQ(out_.str(), "");
  set_log_level(spdlog::level::debug);
  log_event(
      Event{.id = message_ids::kConfigApplied, .priority = Priority::kDebug, .message = "loud"});
  EXPECT_NE(out_.str().find(" debug loud\n"), std::string::npos) << out_.str();
}

TEST_F(CapturedLog, PlainLinesUseThePattern) {
  spdlog::info("listening on {}", "127.0.0.1:9555");
  EXPECT_TRUE(
      std::regex_match(out_.str(), std::regex(R"(\S+T\S+ info listening on 127\.0\.0\.1:9555\n)")))
      << out_.str();
}

TEST(JournalStreamTest, MatchesDeviceAndInode) {
  EXPECT_TRUE(journal_stream_matches("8:12345", 8, 12345));
  EXPECT_TRUE(journal_stream_matches(std::string_view("64769:1"), 64769, 1));
}

TEST(JournalStreamTest, DifferentFileDoesNotMatch) {
  // stderr was redirected (e.g. `proxywatch daemon 2>log` inside a unit): not the journal.
  EXPECT_FALSE(journal_stream_matches("8:12345", 8, 12346));
  EXPECT_FALSE(journal_stream_matches("8:12345", 9, 12345));
}

TEST(JournalStreamTest, MissingOrMalformedDoesNotMatch) {
  EXPECT_FALSE(journal_stream_matches(std::nullopt, 0, 0));
  for (std::string_view bad : {"", ":", "8:", ":1", "8", "8:1:2", "a:1", "8:1x", " 8:1", "-8:1",
                               "8:+1", "99999999999999999999999:1"}) {
    EXPECT_FALSE(journal_stream_matches(bad, 8, 1)) << bad;
  }
}

TEST(JournalStreamTest, ComparesWithThisProcessStderr) {
  struct stat info {};
  ASSERT_EQ(fstat(STDERR_FILENO, &info), 0);
  const char* saved = std::getenv("JOURNAL_STREAM");
  std::string old_value = saved ? saved : "";
  std::string ours = std::to_string(info.st_dev) + ":" + std::to_string(info.st_ino);
  setenv("JOURNAL_STREAM", ours.c_str(), 1);
  EXPECT_TRUE(stderr_is_journal_stream());
  setenv("JOURNAL_STREAM", (ours + "0").c_str(), 1);
  EXPECT_FALSE(stderr_is_journal_stream());
  unsetenv("JOURNAL_STREAM");
  EXPECT_FALSE(stderr_is_journal_stream());
  if (saved) setenv("JOURNAL_STREAM", old_value.c_str(), 1);
}

TEST(LogTargetTest, ParsesCommandLineNames) {
  EXPECT_EQ(parse_log_target("auto"), LogTarget::kAuto);
  EXPECT_EQ(parse_log_target("journal"), LogTarget::kJournal);
  EXPECT_EQ(parse_log_target("stderr"), LogTarget::kStderr);
  EXPECT_EQ(parse_log_target("syslog"), std::nullopt);
}

}  // namespace
}  // namespace proxywatch
