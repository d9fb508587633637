// Tests for config/duration.h: the duration syntax of the YAML file and its formatter.
#include "config/duration.h"

#include <gtest/gtest.h>

namespace proxywatch::config {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

Millis duration_ok(std::string_view text) {
  auto result = parse_duration(text);
  EXPECT_TRUE(result) << text << ": " << (result ? "" : result.error().message);
  return result ? *result : Millis(-1);
}

std::string duration_error(std::string_view text) {
  auto result = parse_duration(text);
  EXPECT_FALSE(result) << text << " parsed as " << (result ? result->count() : 0) << "ms";
  return result ? "" : result.error().message;
}

TEST(DurationTest, ParsesEachUnit) {
  EXPECT_EQ(duration_ok("500ms"), milliseconds(500));
  EXPECT_EQ(duration_ok("30s"), seconds(30));
  EXPECT_EQ(duration_ok("2m"), minutes(2));
  EXPECT_EQ(duration_ok("1h"), hours(1));
}

TEST(DurationTest, ParsesZero) {
  EXPECT_EQ(duration_ok("0s"), Millis::zero());
  EXPECT_EQ(duration_ok("0ms"), Millis::zero());
}

TEST(DurationTest, ParsesFractionsExactly) {
  EXPECT_EQ(duration_ok("1.5s"), milliseconds(1'500));
  EXPECT_EQ(duration_ok("0.1s"), milliseconds(100));
  EXPECT_EQ(duration_ok(".5s"), milliseconds(500));
  EXPECT_EQ(duration_ok("0.25m"), seconds(15));
  EXPECT_EQ(duration_ok("1.500s"), milliseconds(1'500));
  EXPECT_EQ(duration_ok("0.0001h"), milliseconds(360));
}

TEST(DurationTest, ParsesCompoundDurations) {
  EXPECT_EQ(duration_ok("1h30m"), minutes(90));
  EXPECT_EQ(duration_ok("1m0.5s"), milliseconds(60'500));
  EXPECT_EQ(duration_ok("2s500ms"), milliseconds(2'500));
}

TEST(DurationTest, ParsesTheLargestRepresentableDuration) {
  EXPECT_EQ(duration_ok("9223372036854775807ms"), Millis::max());
}

TEST(DurationTest, EmptyIsError) {
  EXPECT_NE(duration_error("").find("empty"), std::string::npos);
}

TEST(DurationTest, NegativeIsError) {
  EXPECT_NE(duration_error("-5s").find("negative"), std::string::npos);
  EXPECT_NE(duration_error("+5s").find("sign"), std::string::npos);
}

TEST(DurationTest, MissingUnitIsError) {
  EXPECT_NE(duration_error("5").find("missing unit"), std::string::npos);
  EXPECT_NE(duration_error("1.5").find("missing unit"), std::string::npos);
  EXPECT_NE(duration_error("1h30").find("missing unit"), std::string::npos);
}

TEST(DurationTest, DaysAreTwentyFourHours) {
  EXPECT_EQ(parse_duration("90d").value(), std::chrono::hours(24 * 90));
  EXPECT_EQ(parse_duration("1d12h").value(), std::chrono::hours(36));
}

TEST(DurationTest, UnknownUnitIsErrorNamingTheUnit) {
  std::string error = duration_error("5w");
  EXPECT_NE(error.find("unknown unit \"w\""), std::string::npos) << error;
  EXPECT_NE(error.find("ms, s, m, h or d"), std::string::npos) << error;
  EXPECT_NE(duration_error("10 s").find("unknown unit \" s\""), std::string::npos);
  EXPECT_NE(duration_error("5sec").find("unknown unit \"sec\""), std::string::npos);
  EXPECT_NE(duration_error("5S").find("unknown unit \"S\""), std::string::npos);
}

TEST(DurationTest, TextWithoutNumberIsError) {
  EXPECT_NE(duration_error("fast").find("starts with a number"), std::string::npos);
  EXPECT_NE(duration_error("s").find("starts with a number"), std::string::npos);
  EXPECT_NE(duration_error("1hm").find("unknown unit \"hm\""), std::string::npos);
  EXPECT_NE(duration_error("1h.").find("'.' must be followed by digits"), std::string::npos);
  EXPECT_NE(duration_error("1.s").find("'.' must be followed by digits"), std::string::npos);
}

TEST(DurationTest, OverflowIsError) {
  EXPECT_NE(duration_error("9223372036854775808ms").find("too large"), std::string::npos);
  EXPECT_NE(duration_error("99999999999999999999999h").find("too large"), std::string::npos);
  EXPECT_NE(duration_error("2562047788016h").find("too large"), std::string::npos);
  EXPECT_NE(duration_error("9223372036854775807ms1ms").find("too large"), std::string::npos);
}

TEST(DurationTest, SubMillisecondPrecisionIsError) {
  EXPECT_NE(duration_error("0.5ms").find("finer than a millisecond"), std::string::npos);
  EXPECT_NE(duration_error("1.0001s").find("finer than a millisecond"), std::string::npos);
  EXPECT_NE(duration_error("1.0000000001h").find("finer than a millisecond"), std::string::npos);
}

TEST(DurationTest, FormatsWithTheLargestUnits) {
  EXPECT_EQ(format_duration(Millis::zero()), "0s");
  EXPECT_EQ(format_duration(milliseconds(500)), "500ms");
  EXPECT_EQ(format_duration(seconds(30)), "30s");
  EXPECT_EQ(format_duration(milliseconds(1'500)), "1.5s");
  EXPECT_EQ(format_duration(minutes(2)), "2m");
  EXPECT_EQ(format_duration(hours(1)), "1h");
  EXPECT_EQ(format_duration(minutes(90)), "1h30m");
  EXPECT_EQ(format_duration(milliseconds(60'500)), "1m0.5s");
  EXPECT_EQ(format_duration(milliseconds(3'600'001)), "1h0.001s");
  EXPECT_EQ(format_duration(milliseconds(-1'500)), "-1.5s");
  EXPECT_EQ(format_duration(milliseconds(-5)), "-5ms");
}

TEST(DurationTest, FormatThenParseRoundTrips) {
  for (Millis::rep ms :
       std::initializer_list<Millis::rep>{1, 999, 1'000, 1'001, 59'999, 61'000, 3'599'999,
                                          86'400'000, 123'456'789, Millis::max().count()}) {
    std::string text = format_duration(Millis(ms));
    EXPECT_EQ(duration_ok(text), Millis(ms)) << text;
  }
}

}  // namespace
}  // namespace proxywatch::config
