// The Prometheus-style flags of `proxywatch daemon` and `config-check`: --web.listen-address,
// --web.config.file and --log.level override the YAML file (also when it is read again on
// SIGHUP), --log.format chooses the stderr lines, and a bad value is bad usage naming the flag.
#include "daemon/config_overrides.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include "common/output/metrics/metrics.h"
#include "daemon/config_check_command.h"
#include "daemon/config_state.h"
#include "daemon/daemon.h"
#include "tests/support/command_run.h"
#include "tests/support/temp_dir.h"

namespace proxywatch {
namespace {

using ::testing::HasSubstr;

TEST(DaemonArgsTest, FlagsAreReadInBothSpellings) {
  auto options = parse_daemon_args({"--config", "/x.yaml", "--web.listen-address=[::1]:9100",
                                    "--web.config.file", "/etc/proxywatch/web.yml",
                                    "--log.level=debug", "--log.format", "json"});
  ASSERT_TRUE(options) << options.error();
  EXPECT_EQ(options->config_path, "/x.yaml");
  EXPECT_EQ(options->overrides.listen_address, (HostPort{"::1", 9100}));
  EXPECT_EQ(options->overrides.web_config_file, "/etc/proxywatch/web.yml");
  EXPECT_EQ(options->overrides.log_level, config::LogLevel::kDebug);
  EXPECT_EQ(options->log_format, LogFormat::kJson);
  auto none = parse_daemon_args({});
  ASSERT_TRUE(none) << none.error();
  EXPECT_EQ(none->overrides, ConfigOverrides{});
  EXPECT_EQ(none->log_format, LogFormat::kPlain);
}

TEST(DaemonArgsTest, BadValuesNameTheFlagAndExitTwo) {
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"--web.listen-address", "localhost:39555"}, "--web.listen-address 'localhost:39555'"},
      {{"--web.listen-address=127.0.0.1"}, "--web.listen-address '127.0.0.1'"},
      {{"--log.level=verbose"}, "--log.level 'verbose' is not one of trace, debug, info"},
      {{"--log.format=text"}, "--log.format 'text' is not logfmt or json"},
      {{"--log.level"}, "option --log.level needs a value"},
  };
  for (const auto& [args, message] : cases) {
    auto options = parse_daemon_args(args);
    ASSERT_FALSE(options) << args.front();
    EXPECT_THAT(options.error().to_string(), HasSubstr(message));
    EXPECT_EQ(run_daemon_command(args), kExitUsage) << args.front();
  }
}

// What the unit runs: ExecStart's own --config, then $ARGS from /etc/default/proxywatch, whose
// --config comes last and so wins.
TEST(DaemonArgsTest, ArgsAfterTheUnitsConfigWin) {
  auto options = parse_daemon_args({"--config", "/etc/proxywatch/proxywatch.yaml", "--config",
                                    "/srv/other.yaml", "--log.level", "warn"});
  ASSERT_TRUE(options) << options.error();
  EXPECT_EQ(options->config_path, "/srv/other.yaml");
}

TEST(ConfigOverridesTest, FlagsWinOverTheFileAtStartAndOnEveryReload) {
  testing::TempDir dir("pw-overrides");
  const std::string yaml = dir.write_file("proxywatch.yaml",
                                          "metrics_listen: 127.0.0.1:1111\n"
                                          "web_config_file: /etc/proxywatch/web.yml\n"
                                          "log_level: error\n"
                                          "interval: 30s\n")
                               .string();
  Metrics metrics;
  ConfigOverrides overrides{.listen_address = HostPort{"127.0.0.1", 2222},
                            .web_config_file = "",
                            .log_level = config::LogLevel::kDebug};
  boost::asio::io_context io;
  ConfigState state(metrics, yaml, true, io.get_executor(), overrides);
  auto first = state.read_yaml();
  ASSERT_TRUE(first) << first.error();
  EXPECT_EQ(first->config.metrics_listen, (HostPort{"127.0.0.1", 2222}));
  EXPECT_EQ(first->config.web_config_file, std::nullopt);  // '' turns the file's off
  EXPECT_EQ(first->config.log_level, config::LogLevel::kDebug);
  // SIGHUP after an edit: the edit applies, the flags still win.
  dir.write_file("proxywatch.yaml",
                 "metrics_listen: 127.0.0.1:3333\nlog_level: warn\ninterval: 45s\n");
  auto reread = state.read_yaml();
  ASSERT_TRUE(reread) << reread.error();
  EXPECT_EQ(reread->config.interval, Millis(45'000));
  EXPECT_EQ(reread->config.metrics_listen, (HostPort{"127.0.0.1", 2222}));
  EXPECT_EQ(reread->config.log_level, config::LogLevel::kDebug);
  // Without flags the file decides.
  ConfigState plain(metrics, yaml, true, io.get_executor());
  EXPECT_EQ(plain.read_yaml()->config.metrics_listen, (HostPort{"127.0.0.1", 3333}));
}

TEST(ConfigOverridesTest, ConfigCheckChecksWhatTheFlagsMakeOfTheFile) {
  testing::TempDir dir("pw-overrides-check");
  const std::string yaml = dir.write_file("proxywatch.yaml", "interval: 30s\n").string();
  const std::string proxy = (dir.path() / "absent.conf").string();
  const std::string missing_web = (dir.path() / "web.yml").string();
  testing::CommandRun r = testing::run_command(
      run_config_check_command, {"--config", yaml, "--proxy-file", proxy, "--web.config.file",
                                 missing_web, "--log.level=warn", "--log.format=logfmt"});
  EXPECT_EQ(r.status, kExitConfigInvalid) << r.out;
  EXPECT_THAT(r.err, HasSubstr(missing_web));
  r = testing::run_command(run_config_check_command,
                           {"--config", yaml, "--proxy-file", proxy, "--log.format=xml"});
  EXPECT_EQ(r.status, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("--log.format 'xml'"));
}

}  // namespace
}  // namespace proxywatch
