// CliArgs: `--name value`, `--name=value` and `--flag` read the same way by every subcommand;
// unknown flags, missing values and stray words are errors naming what was wrong.
#include "daemon/cli_args.h"

#include <gtest/gtest.h>

namespace proxywatch {
namespace {

const std::set<std::string> kValued = {"--proxy", "--target", "--user-agent"};
const std::set<std::string> kSwitches = {"--json", "--mtu"};

Result<CliArgs> parse(const std::vector<std::string>& args) {
  return CliArgs::parse(args, kValued, kSwitches);
}

TEST(CliArgsTest, ValuedFlagTakesTheNextArgument) {
  auto args = parse({"--proxy", "10.10.10.1:80", "--target", "tools.cisco.com"});
  ASSERT_TRUE(args) << args.error();
  EXPECT_EQ(args->value("--proxy"), "10.10.10.1:80");
  EXPECT_EQ(args->value("--target"), "tools.cisco.com");
}

TEST(CliArgsTest, ValuedFlagTakesAnInlineValueAfterTheFirstEqualsSign) {
  auto args = parse({"--proxy=10.10.10.1:80", "--user-agent=a=b c"});
  ASSERT_TRUE(args) << args.error();
  EXPECT_EQ(args->value("--proxy"), "10.10.10.1:80");
  EXPECT_EQ(args->value("--user-agent"), "a=b c");
}

TEST(CliArgsTest, EmptyInlineValueIsAValue) {
  auto args = parse({"--proxy="});
  ASSERT_TRUE(args) << args.error();
  EXPECT_EQ(args->value("--proxy"), "");
}

TEST(CliArgsTest, SwitchesAreSeenAndValuesAreNotSwitches) {
  auto args = parse({"--json", "--proxy", "p:80"});
  ASSERT_TRUE(args) << args.error();
  EXPECT_TRUE(args->has("--json"));
  EXPECT_FALSE(args->has("--mtu"));
  EXPECT_FALSE(args->has("--proxy"));
  EXPECT_FALSE(args->value("--json").has_value());
}

TEST(CliArgsTest, AbsentFlagHasNoValue) {
  auto args = parse({});
  ASSERT_TRUE(args) << args.error();
  EXPECT_FALSE(args->value("--proxy").has_value());
  EXPECT_FALSE(args->has("--json"));
}

TEST(CliArgsTest, RepeatedFlagKeepsTheLastValue) {
  auto args = parse({"--proxy", "a:1", "--proxy=b:2", "--proxy", "c:3"});
  ASSERT_TRUE(args) << args.error();
  EXPECT_EQ(args->value("--proxy"), "c:3");
}

TEST(CliArgsTest, MissingValueIsAnErrorNamingTheFlag) {
  auto args = parse({"--json", "--proxy"});
  ASSERT_FALSE(args);
  EXPECT_EQ(args.error().to_string(), "option --proxy needs a value");
}

TEST(CliArgsTest, UnknownFlagIsAnErrorNamingIt) {
  auto args = parse({"--proxy", "p:80", "--verbose"});
  ASSERT_FALSE(args);
  EXPECT_EQ(args.error().to_string(), "unknown option --verbose");
  EXPECT_EQ(parse({"-v"}).error().to_string(), "unknown option -v");
}

TEST(CliArgsTest, UnknownFlagWithInlineValueIsNamedWithoutItsValue) {
  auto args = parse({"--password=hunter2"});
  ASSERT_FALSE(args);
  EXPECT_EQ(args.error().to_string(), "unknown option --password");
}

TEST(CliArgsTest, SwitchGivenAValueIsRefused) {
  auto args = parse({"--json=yes"});
  ASSERT_FALSE(args);
  EXPECT_EQ(args.error().to_string(), "unknown option --json");
}

TEST(CliArgsTest, StrayWordIsAnUnexpectedArgument) {
  auto args = parse({"--json", "tools.cisco.com"});
  ASSERT_FALSE(args);
  EXPECT_EQ(args.error().to_string(), "unexpected argument 'tools.cisco.com'");
}

}  // namespace
}  // namespace proxywatch
