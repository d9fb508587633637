// `proxywatch check` argument handling: bad usage is a one-line error and exit 2.
#include "daemon/check_command.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "tests/support/command_run.h"

namespace proxywatch {
namespace {

using testing::CommandRun;

CommandRun check(const std::vector<std::string>& args) {
  return testing::run_command(run_check_command, args);
}

TEST(CheckCommandTest, FullFlagSetParses) {
  auto options = parse_check_args({"--proxy", "10.10.10.1:80", "--target", "tools.cisco.com",
                                   "--request", "HEAD /", "--max-bytes", "4096", "--timeout", "2.5",
                                   "--stall=3", "--json"});
  ASSERT_TRUE(options) << options.error();
  EXPECT_EQ(options->spec.proxy.to_string(), "10.10.10.1:80");
  EXPECT_EQ(options->spec.target.port, 443);
  EXPECT_EQ(options->spec.request->method, "HEAD");
  EXPECT_EQ(options->spec.max_bytes, 4096u);
  EXPECT_EQ(options->spec.timeouts.tls_handshake, Millis(2500));
  EXPECT_EQ(options->spec.timeouts.stall, Millis(3000));
  EXPECT_TRUE(options->json);
}

TEST(CheckCommandTest, MtuFlagAsksForTheComparison) {
  auto options = parse_check_args(
      {"--proxy", "10.10.10.1:80", "--target", "tools.cisco.com", "--mtu", "--json"});
  ASSERT_TRUE(options) << options.error();
  EXPECT_TRUE(options->mtu);
  EXPECT_FALSE(parse_check_args({"--proxy", "p:80", "--target", "x"})->mtu);
  EXPECT_NE(check_usage().find("--mtu"), std::string::npos);
}

TEST(CheckCommandTest, BadInputIsOneLineErrorAndExitTwo) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--target", "x"}, "--proxy HOST:PORT is required"},
      {{"--proxy", "p:80"}, "--target HOST[:PORT] is required"},
      {{"--proxy", "p", "--target", "x"}, "missing port"},
      {{"--proxy", "p:99999", "--target", "x"}, "1 to 65535"},
      {{"--proxy", "p:80", "--target", "x", "--bogus"}, "unknown option --bogus"},
      {{"--proxy", "p:80", "--target", "x", "--timeout", "soon"}, "--timeout 'soon'"},
      {{"--proxy", "p:80", "--target", "x", "--timeout", "-1"}, "--timeout '-1'"},
      {{"--proxy", "p:80", "--target", "x", "--request", "PUT /"}, "--request"},
      {{"--proxy", "p:80", "--target", "x", "--max-bytes", "lots"}, "--max-bytes"},
      {{"--proxy", "p:80", "--target"}, "needs a value"},
      {{"--proxy", "p:80", "--target", "x", "--ca-file", "/nonexistent/ca.pem"}, "--ca-file"},
      {{"--proxy", "p:80", "--target", "x", "--mtu", "--ca-file", "/nonexistent/ca.pem"},
       "--ca-file"},
      {{"--proxy", "p:80", "--target", "x", "--mtu", "--expect-denied"}, "exclude each other"},
  };
  for (const auto& [args, expected] : cases) {
    CommandRun r = check(args);
    EXPECT_EQ(r.status, kExitUsage) << expected;
    EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(r.out.empty());
  }
}

TEST(CheckCommandTest, HelpPrintsUsageAndExitsZero) {
  CommandRun r = check({"--help"});
  EXPECT_EQ(r.status, kExitOk);
  EXPECT_NE(r.out.find("usage: proxywatch check"), std::string::npos);
}

}  // namespace
}  // namespace proxywatch
