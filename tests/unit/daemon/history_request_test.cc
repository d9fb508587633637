// Reading `proxywatch history`'s and /history.json's parameters: durations with days, RFC 3339
// times and dates, the range's defaults and conflicts, the service names; every bad input is
// one line saying what to write instead. And the command's usage errors and exit statuses.
#include "daemon/history_request.h"

#include <gtest/gtest.h>

#include "daemon/history_command.h"
#include "tests/support/command_run.h"
#include "tests/support/temp_dir.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;

// 2026-12-04T02:00:00Z.
const WallTime kRequestNoon =
    WallTime(std::chrono::sys_days(std::chrono::year(2026) / std::chrono::December / 4)) + 2h;

TEST(HistoryRequestTest, DurationsAreTheYamlFormDaysIncluded) {
  EXPECT_EQ(parse_history_duration("90s").value(), 90s);
  EXPECT_EQ(parse_history_duration("30m").value(), 30min);
  EXPECT_EQ(parse_history_duration("6h").value(), 6h);
  EXPECT_EQ(parse_history_duration("7d").value(), std::chrono::days(7));
  EXPECT_EQ(parse_history_duration("1d12h").value(), 36h);
  EXPECT_EQ(parse_history_duration("1.5d").value(), 36h);
}

TEST(HistoryRequestTest, BadDurationsSayHowToWriteOne) {
  for (std::string_view bad : {"", "7x", "d", "-1h", "0s", "0d", "6"}) {
    auto parsed = parse_history_duration(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_NE(parsed.error().message.find("write a duration as 90s, 30m, 6h, 7d"),
              std::string::npos)
        << parsed.error().message;
  }
}

TEST(HistoryRequestTest, TimesAreRfc3339OrADate) {
  EXPECT_EQ(parse_history_time("2026-12-04T02:00:00Z").value(), kRequestNoon);
  EXPECT_EQ(parse_history_time("2026-12-04T02:00Z").value(), kRequestNoon);
  EXPECT_EQ(parse_history_time("2026-12-04 02:00:00z").value(), kRequestNoon);
  EXPECT_EQ(parse_history_time("2026-12-04T03:30:00+01:30").value(), kRequestNoon);
  EXPECT_EQ(parse_history_time("2026-12-03T23:00:00-03:00").value(), kRequestNoon);
  EXPECT_EQ(parse_history_time("2026-12-04T02:00:00.250Z").value(), kRequestNoon + 250ms);
  EXPECT_EQ(parse_history_time("2026-12-04").value(), kRequestNoon - 2h);
}

TEST(HistoryRequestTest, BadTimesSayHowToWriteOne) {
  for (std::string_view bad : {"2026-12-04T02:00:00", "2026-13-01", "2026-02-30", "yesterday",
                               "2026-12-04T25:00Z", "2026-12-04T02:00:00Zjunk", "1733277600"}) {
    auto parsed = parse_history_time(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_NE(parsed.error().message.find("write a UTC time as 2026-12-04T02:00:00Z"),
              std::string::npos)
        << parsed.error().message;
  }
}

TEST(HistoryRequestTest, TheDefaultRangeIsTheLastDay) {
  auto q = parse_history_params({}, kRequestNoon, "--").value();
  EXPECT_EQ(q.from, kRequestNoon - 24h);
  EXPECT_EQ(q.to, kRequestNoon);
  EXPECT_TRUE(q.target.empty());
  EXPECT_FALSE(q.service);
  EXPECT_FALSE(q.failures_only);
}

TEST(HistoryRequestTest, SinceFromAndToSetTheRange) {
  auto since = parse_history_params({.since = "6h"}, kRequestNoon, "--").value();
  EXPECT_EQ(since.from, kRequestNoon - 6h);
  EXPECT_EQ(since.to, kRequestNoon);
  auto from = parse_history_params({.from = "2026-12-01"}, kRequestNoon, "--").value();
  EXPECT_EQ(from.from, kRequestNoon - 2h - std::chrono::days(3));
  EXPECT_EQ(from.to, kRequestNoon);
  auto to = parse_history_params({.to = "2026-12-03T02:00:00Z"}, kRequestNoon, "--").value();
  EXPECT_EQ(to.from, kRequestNoon - 48h);
  EXPECT_EQ(to.to, kRequestNoon - 24h);
}

TEST(HistoryRequestTest, FiltersAreKept) {
  auto q = parse_history_params({.target = "tools",
                                 .service = "security_intelligence",
                                 .proxy = "10.0.0.1:3128",
                                 .failures = true},
                                kRequestNoon, "--")
               .value();
  EXPECT_EQ(q.target, "tools");
  EXPECT_EQ(q.service, Service::kSecurityIntelligence);
  EXPECT_EQ(q.proxy, "10.0.0.1:3128");
  EXPECT_TRUE(q.failures_only);
}

TEST(HistoryRequestTest, ConflictsAndUnknownNamesAreOneSentenceWithTheFix) {
  auto both = parse_history_params({.since = "6h", .from = "2026-12-01"}, kRequestNoon, "--");
  ASSERT_FALSE(both);
  EXPECT_EQ(both.error().message,
            "--since cannot be given with --from or --to: write either --since 6h or --from T "
            "--to T");
  auto backwards =
      parse_history_params({.from = "2026-12-05", .to = "2026-12-04"}, kRequestNoon, "");
  ASSERT_FALSE(backwards);
  EXPECT_NE(backwards.error().message.find("from must be before to"), std::string::npos);
  auto service = parse_history_params({.service = "licence"}, kRequestNoon, "");
  ASSERT_FALSE(service);
  EXPECT_EQ(service.error().message,
            "service: unknown service \"licence\": write one of licensing, "
            "security_intelligence, updates, amp, custom");
  auto since = parse_history_params({.since = "week"}, kRequestNoon, "--");
  ASSERT_FALSE(since);
  EXPECT_TRUE(since.error().message.starts_with("--since: \"week\" is not a duration"));
}

testing::CommandRun run_history_cli(const std::vector<std::string>& args) {
  return testing::run_command(run_history_command, args);
}

TEST(HistoryCommandTest, BadUsageExitsTwoWithOneLine) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--json", "--csv"}, {"--since", "7x"}, {"--bogus"}, {"--service", "x"}, {"--since"}}) {
    auto run = run_history_cli(args);
    EXPECT_EQ(run.status, kExitUsage) << args.front();
    EXPECT_TRUE(run.err.starts_with("proxywatch history: ")) << run.err;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
    EXPECT_EQ(run.out, "");
  }
}

TEST(HistoryCommandTest, HelpPrintsTheUsage) {
  auto run = run_history_cli({"--help"});
  EXPECT_EQ(run.status, kExitOk);
  EXPECT_EQ(run.out, history_usage());
}

TEST(HistoryCommandTest, NoDatabaseExitsOneSayingWhere) {
  testing::TempDir dir("pw-hist-cmd");
  auto yaml = dir.write_file("proxywatch.yaml", "state_dir: " + dir.path().string() + "\n");
  auto run = run_history_cli({"--config", yaml.string()});
  EXPECT_EQ(run.status, kExitHistoryUnavailable);
  EXPECT_TRUE(run.err.starts_with("proxywatch history: " + (dir.path() / "history.db").string() +
                                  ": no history database there;"))
      << run.err;
  EXPECT_NE(run.err.find("the daemon creates it in state_dir"), std::string::npos) << run.err;
}

TEST(HistoryCommandTest, AFileThatIsNotAHistoryExitsOne) {
  testing::TempDir dir("pw-hist-cmd");
  auto junk = dir.write_file("copy.db", "not a database, just text\n");
  auto run = run_history_cli({"--db", junk.string()});
  EXPECT_EQ(run.status, kExitHistoryUnavailable);
  EXPECT_NE(run.err.find("not a proxywatch history"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace proxywatch
