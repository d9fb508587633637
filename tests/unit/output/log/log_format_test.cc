// --log.format: logfmt and JSON lines on stderr, as Prometheus' exporters write them — the UTC
// time, the level, the message, then an event's MESSAGE_ID and fields as keys of their own;
// values that could split a line or a key stay inside their value.
#include "common/output/log/log.h"

#include <regex>
#include <sstream>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

namespace proxywatch {
namespace {

Event format_test_event() {
  return Event{.id = message_ids::kProbeOutcomeChanged,
               .priority = Priority::kWarning,
               .message = "probe failing",
               .proxy = "10.10.10.1:80",
               .target = "tools.cisco.com:443",
               .duration_ms = 12,
               .extra = {{"DIAGNOSIS", "the proxy's \"ACL\" (x=1)\nPROXY=forged"}}};
}

class StructuredLog : public ::testing::Test {
 protected:
  // Logs the event and one plain line in `format`; what the sink got.
  std::string log_in(LogFormat format) {
    std::ostringstream out;
    init_logging_for_test(std::make_shared<spdlog::sinks::ostream_sink_st>(out),
                          spdlog::level::info, format);
    log_event(format_test_event());
    spdlog::info("listening on {}", "127.0.0.1:39555");
    return out.str();
  }
  void TearDown() override { init_logging(LogTarget::kStderr, spdlog::level::info); }
};

TEST_F(StructuredLog, LogfmtPutsTheEventsFieldsAfterTheMessage) {
  const std::string text = log_in(LogFormat::kLogfmt);
  EXPECT_TRUE(std::regex_match(
      text,
      std::regex(R"(ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=warn msg="probe failing" )"
                 R"(message_id=d1d245386690401bb7437c165cf3fd6b proxy=10\.10\.10\.1:80 )"
                 R"(target=tools\.cisco\.com:443 duration_ms=12 )"
                 R"(diagnosis="the proxy's \\"ACL\\" \(x=1\)\\\\nPROXY=forged"\n)"
                 R"(ts=\S+Z level=info msg="listening on 127\.0\.0\.1:39555"\n)")))
      << text;
}

TEST_F(StructuredLog, JsonIsOneObjectPerLine) {
  const std::string text = log_in(LogFormat::kJson);
  EXPECT_TRUE(std::regex_match(
      text,
      std::regex(
          R"(\{"ts":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","level":"warn",)"
          R"("msg":"probe failing","message_id":"d1d245386690401bb7437c165cf3fd6b",)"
          R"("proxy":"10\.10\.10\.1:80","target":"tools\.cisco\.com:443",)"
          R"("duration_ms":"12","diagnosis":"the proxy's \\"ACL\\" \(x=1\)\\\\nPROXY=forged"\}\n)"
          R"(\{"ts":"\S+Z","level":"info","msg":"listening on 127\.0\.0\.1:39555"\}\n)")))
      << text;
}

TEST_F(StructuredLog, PlainStaysTheDefaultAndFormatsParse) {
  EXPECT_NE(log_in(LogFormat::kPlain).find(" warning probe failing (PROXY=10.10.10.1:80 "),
            std::string::npos);
  EXPECT_EQ(parse_log_format("logfmt"), LogFormat::kLogfmt);
  EXPECT_EQ(parse_log_format("json"), LogFormat::kJson);
  EXPECT_EQ(parse_log_format("plain"), std::nullopt);
  EXPECT_EQ(parse_log_format("JSON"), std::nullopt);
}

}  // namespace
}  // namespace proxywatch
