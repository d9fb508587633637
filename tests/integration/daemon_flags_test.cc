// The exporter surface of the shipped binary: `--version` (and `version`) in Prometheus'
// exporters' layout with a build date that is the commit's, and the flags of `proxywatch
// daemon` in a real run — --web.listen-address and --log.level win over the YAML file at start
// and again after SIGHUP re-read an edited file, and --log.format=json writes JSON lines.
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <regex>
#include <sstream>
#include <string>

#include "tests/support/local_port.h"
#include "tests/support/notify_socket.h"
#include "tests/support/process.h"
#include "tests/support/scrape.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace proxywatch {
namespace {

using std::chrono_literals::operator""s;
using std::chrono_literals::operator""ms;

constexpr const char* kStartedId = "b0b66d6131fd4248981e82eea3b0b52f";
constexpr const char* kAppliedId = "aa8c20a9d24f4b2cbb3c80643e326e82";

TEST(VersionFlagTest, RevisionBuildDateAndCompilerAndTheDateIsTheCommits) {
  testing::ProcessResult flag = testing::run_process({PROXYWATCH_BINARY, "--version"});
  testing::ProcessResult command = testing::run_process({PROXYWATCH_BINARY, "version"});
  ASSERT_EQ(flag.exit_code, 0) << flag.err;
  EXPECT_EQ(command.out, flag.out);
  std::smatch match;
  ASSERT_TRUE(std::regex_match(
      flag.out, match,
      std::regex("proxywatch, version " PROXYWATCH_VERSION R"( \(revision: ([^) ]+)\)\n)"
                 R"(  build date:       (\d{8}-\d\d:\d\d:\d\d|unknown)\n)"
                 R"(  compiler:         (g\+\+|clang) \d+\.\d+\.\d+\n)")))
      << flag.out;
  // Reproducible: the date of the commit `git describe` named, not the time of the build
  // (unless the tree was configured without git, or with SOURCE_DATE_EPOCH).
  std::smatch hash;
  const std::string revision = match[1];
  if (std::getenv("SOURCE_DATE_EPOCH") != nullptr ||
      !std::regex_search(revision, hash, std::regex("(?:^|-g)([0-9a-f]{7,})(?:-dirty)?$"))) {
    return;
  }
  testing::ProcessResult date =
      testing::run_process({"git", "-C", PROXYWATCH_SOURCE_DIR, "show", "-s", "--format=%cd",
                            "--date=format-local:%Y%m%d-%H:%M:%S", hash[1].str()},
                           {{"TZ", "UTC"}});
  if (date.exit_code != 0) return;  // a copy of the tree without its history
  EXPECT_EQ(match[2].str() + "\n", date.out) << revision;
}

// Every non-empty line of `log` is one JSON object that starts with its time.
bool all_json_lines(const std::string& log) {
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && !std::regex_match(line, std::regex(R"(\{"ts":"[^"]+Z",.*\})"))) {
      return false;
    }
  }
  return true;
}

TEST(DaemonFlagsTest, FlagsWinOverTheYamlAtStartAndAfterSighup) {
  testing::TempDir dir("pw-flags");
  const std::uint16_t yaml_port = testing::pick_free_port();
  const std::uint16_t flag_port = testing::pick_free_port();
  auto yaml_text = [&](std::uint16_t port) {
    // log_level error: the info events below are logged only because --log.level says info.
    return "proxy_file: " + (dir.path() / "absent.conf").string() +
           "\nmetrics_listen: 127.0.0.1:" + std::to_string(port) +
           "\nlog_level: error\nstate_dir: " + dir.path().string() + "\n";
  };
  const auto yaml = dir.write_file("proxywatch.yaml", yaml_text(yaml_port));
  testing::NotifySocket notify(dir.path() / "notify.sock");
  testing::ChildProcess daemon(
      {PROXYWATCH_BINARY, "daemon", "--config", yaml.string(), "--log-target", "stderr",
       "--web.listen-address", "127.0.0.1:" + std::to_string(flag_port), "--log.level=info",
       "--log.format=json"},
      dir.path() / "daemon.log", {{"NOTIFY_SOCKET", notify.path().string()}});
  ASSERT_TRUE(notify.wait_for("READY=1", 10s)) << daemon.log();
  EXPECT_NE(testing::http_get(flag_port, "/metrics").find("proxywatch_build_info"),
            std::string::npos);
  EXPECT_FALSE(testing::port_accepts(yaml_port));
  EXPECT_NE(daemon.log().find(std::string(R"("level":"info","msg":"proxywatch )")),
            std::string::npos)
      << daemon.log();
  EXPECT_NE(daemon.log().find(std::string(R"("message_id":")") + kStartedId), std::string::npos);

  // An edit moving the listener, then SIGHUP: the edit is read, the flags still win.
  const std::uint16_t edited_port = testing::pick_free_port();
  dir.write_file("proxywatch.yaml", yaml_text(edited_port));
  notify.clear();
  ASSERT_EQ(::kill(daemon.pid(), SIGHUP), 0);
  ASSERT_TRUE(notify.wait_for("READY=1", 10s)) << daemon.log();
  EXPECT_TRUE(testing::wait_until(
      [&] { return daemon.log().find(kAppliedId) != std::string::npos; }, 5s, 20ms))
      << daemon.log();
  EXPECT_NE(testing::http_get(flag_port, "/metrics").find("proxywatch_build_info"),
            std::string::npos);
  EXPECT_FALSE(testing::port_accepts(edited_port));
  daemon.terminate();
  EXPECT_TRUE(all_json_lines(daemon.log())) << daemon.log();
}

}  // namespace
}  // namespace proxywatch
