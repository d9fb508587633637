// Proxy authentication in the daemon: with a credentials file it authenticates to squid with
// Digest and counts it in /metrics, and nothing it emits — its trace log, /metrics,
// config-check, its state directory — holds the password; a credentials file others may read
// stops the start. The fixture is proxy_auth_fixture.h.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "tests/integration/proxy_auth_fixture.h"
#include "tests/support/local_port.h"
#include "tests/support/process.h"
#include "tests/support/scrape.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace proxywatch {
namespace {

// The daemon with a credentials file: it authenticates to squid with Digest, counts it in
// /metrics, and nothing it emits — stderr at trace level (where journal events are rendered
// with all their fields), /metrics, config-check, any file in its state directory — holds the
// password.
TEST_F(ProxyAuthTest, DaemonAuthenticatesAndNeverEmitsThePassword) {
  testing::TempDir dir("pw-auth-daemon");
  const std::uint16_t metrics_port = testing::pick_free_port();
  dir.write_file("iprep_proxy.conf", "iprep_proxy {\n  PROXY_HOST 127.0.0.1;\n  PROXY_PORT " +
                                         std::to_string(squid_digest().port()) + ";\n}\n");
  auto credentials = dir.write_file("credentials", "alice\n" + kSpecialPassword + "\n");
  std::filesystem::permissions(
      credentials, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::filesystem::create_directory(dir.path() / "state");
  auto yaml = dir.write_file(
      "proxywatch.yaml",
      "proxy_file: " + (dir.path() / "iprep_proxy.conf").string() +
          "\nmetrics_listen: 127.0.0.1:" + std::to_string(metrics_port) +
          "\ninterval: 1s\njitter: 0s\nlog_level: trace\nstate_dir: " +
          (dir.path() / "state").string() + "\ncredentials_file: " + credentials.string() +
          "\ntimeouts: {proxy_connect: 2s, tls_handshake: 2s}\ntargets:\n  - {name: origin, "
          "host: origin.test, port: " +
          std::to_string(origin_->port()) + ", ca_file: " + ca_file_ + ", request: HEAD /}\n");
  testing::ChildProcess daemon(
      {PROXYWATCH_BINARY, "daemon", "--config", yaml.string(), "--log-target", "stderr"},
      dir.path() / "daemon.log");
  std::string metrics;
  bool authenticated = testing::wait_until(
      [&] {
        metrics = testing::http_get(metrics_port, "/metrics");
        return testing::metric(metrics, "proxywatch_proxy_auth_total", {"result=\"ok\""})
                       .value_or(0) >= 2 &&
               testing::metric(metrics, "proxywatch_probe_success").value_or(0) == 1;
      },
      std::chrono::seconds(15), std::chrono::milliseconds(100));
  EXPECT_TRUE(authenticated) << metrics << daemon.log();
  EXPECT_EQ(
      testing::metric(metrics, "proxywatch_proxy_auth_challenges_total", {"scheme=\"digest\""})
          .value_or(0),
      testing::metric(metrics, "proxywatch_proxy_auth_total", {"result=\"ok\""}).value_or(-1));
  auto config_check =
      testing::run_process({PROXYWATCH_BINARY, "config-check", "--config", yaml.string()});
  EXPECT_EQ(config_check.exit_code, 0) << config_check.err;
  EXPECT_NE(config_check.out.find("credentials: user \"alice\" from credentials file"),
            std::string::npos)
      << config_check.out;
  daemon.terminate();
  std::string emitted = daemon.log() + metrics + config_check.out + config_check.err;
  // The daemon keeps its history in state_dir: the database is part of what must not hold it.
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "state" / "history.db"));
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path() / "state")) {
    if (entry.is_regular_file())
      emitted += dir.read_file(std::filesystem::relative(entry.path(), dir.path()).string());
  }
  EXPECT_NE(daemon.log().find("probe"), std::string::npos) << "trace logging was captured";
  expect_no_secret(emitted);
}

TEST_F(ProxyAuthTest, DaemonRefusesAWorldReadableCredentialsFile) {
  testing::TempDir dir("pw-auth-daemon");
  auto credentials = dir.write_file("credentials", "alice\n" + kPlainPassword + "\n");
  std::filesystem::permissions(
      credentials, std::filesystem::perms::owner_read | std::filesystem::perms::others_read);
  auto yaml = dir.write_file(
      "proxywatch.yaml", "metrics_listen: 127.0.0.1:" + std::to_string(testing::pick_free_port()) +
                             "\ncredentials_file: " + credentials.string() + "\n");
  auto run = testing::run_process(
      {PROXYWATCH_BINARY, "daemon", "--config", yaml.string(), "--log-target", "stderr"}, {},
      std::chrono::seconds(10));
  EXPECT_NE(run.exit_code.value_or(0), 0);
  EXPECT_NE(run.err.find("readable by group or others"), std::string::npos) << run.err;
  expect_no_secret(run.out + run.err);
}

}  // namespace
}  // namespace proxywatch
