// Tests for config/yaml_config.h, what is read: defaults when keys are absent, every key read,
// target keys over global ones, and loading a file. What is refused, with the key path, line and
// column, is in yaml_config_errors_test.cc.
#include "config/yaml_config.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"
#include "tests/unit/config/yaml_config_checks.h"

namespace proxywatch::config {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using yaml_checks::expect_error;
using yaml_checks::kSource;
using yaml_checks::parse_error;
using yaml_checks::parse_ok;

// ---- defaults ----

TEST(YamlConfigTest, DefaultConfigHasDocumentedDefaults) {
  DaemonConfig config = default_config();
  EXPECT_EQ(config.proxy_file, "/etc/sf/iprep_proxy.conf");
  EXPECT_EQ(config.metrics_listen, (HostPort{"127.0.0.1", 39555}));
  EXPECT_EQ(config.interval, seconds(60));
  EXPECT_EQ(config.jitter, seconds(5));
  EXPECT_EQ(config.timeouts, PhaseTimeouts{});
  EXPECT_EQ(config.state_dir, "/var/lib/proxywatch");
  EXPECT_FALSE(config.credentials_file);
  EXPECT_EQ(config.log_level, LogLevel::kInfo);
  EXPECT_EQ(config.max_concurrent_probes, 64u);
  EXPECT_TRUE(config.mtu_probe.enabled);
  EXPECT_EQ(config.mtu_probe.interval, hours(1));
  // The FMC's services of kDefaultServiceGroups, in the table's order; AMP lookups are off.
  EXPECT_EQ(config.service_groups,
            (std::vector<std::string>{"licensing", "security_intelligence", "updates"}));
  const std::vector<std::pair<std::string, Service>> expected = {
      {"tools.cisco.com", Service::kLicensing},
      {"smartreceiver.cisco.com", Service::kLicensing},
      {"intelligence.sourcefire.com", Service::kSecurityIntelligence},
      {"support.sourcefire.com", Service::kUpdates},
      {"updates.vrt.sourcefire.com", Service::kUpdates},
      {"amp.updates.vrt.sourcefire.com", Service::kUpdates}};
  ASSERT_EQ(config.targets.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(config.targets[i].name, expected[i].first + ":443");
    EXPECT_EQ(config.targets[i].spec.target, (HostPort{expected[i].first, 443}));
    EXPECT_EQ(config.targets[i].service, expected[i].second);
    EXPECT_EQ(config.targets[i].spec.scheme, TargetScheme::kHttps);
  }
  for (const TargetConfig& target : config.targets) {
    EXPECT_EQ(target.spec.ca_file, "");
    EXPECT_FALSE(target.spec.request);
    EXPECT_EQ(target.spec.max_bytes, 1'048'576u);
    EXPECT_EQ(target.interval, seconds(60));
    EXPECT_EQ(target.spec.timeouts, PhaseTimeouts{});
    EXPECT_FALSE(target.spec.expect_denied);
    EXPECT_TRUE(target.spec.http_error_fails);
  }
}

TEST(YamlConfigTest, EmptyOrCommentOnlyTextGivesDefaults) {
  for (std::string_view text : {"", "\n\n", "# nothing configured\n", "---\n", "~\n"}) {
    DaemonConfig config = parse_ok(text);
    EXPECT_EQ(config.source, kSource);
    config.source = default_config().source;
    EXPECT_EQ(config, default_config()) << text;
  }
}

TEST(YamlConfigTest, AbsentKeysKeepDefaults) {
  DaemonConfig config = parse_ok("log_level: debug\n");
  DaemonConfig expected = default_config();
  expected.source = kSource;
  expected.log_level = LogLevel::kDebug;
  EXPECT_EQ(config, expected);
}

TEST(YamlConfigTest, DefaultTargetsTakeTheGlobalIntervalAndTimeouts) {
  DaemonConfig config = parse_ok("interval: 2m\ntimeouts:\n  dns: 1s\n");
  ASSERT_EQ(config.targets.size(), 6u);
  EXPECT_EQ(config.targets[1].interval, minutes(2));
  EXPECT_EQ(config.targets[1].spec.timeouts.dns, seconds(1));
  EXPECT_EQ(config.targets[1].spec.timeouts.tls_handshake, PhaseTimeouts{}.tls_handshake);
}

// ---- every key ----

constexpr std::string_view kFullFile = R"(# every key
proxy_file: /tmp/iprep_proxy.conf
metrics_listen: "[::1]:9100"
interval: 30s
jitter: 500ms
timeouts:
  dns: 1s
  tcp_connect: 2s
  proxy_connect: 3s
  tls_handshake: 4s
  http_first_byte: 5s
  transfer: 1m
  stall: 1.5s
state_dir: /var/tmp/pw
credentials_file: /etc/proxywatch/credentials
log_level: warn
max_concurrent_probes: 10000
targets:
  - name: tools
    host: tools.cisco.com
    port: 8443
    ca_file: /etc/ssl/inspect-ca.pem
    request: GET /healthz?x=1
    max_bytes: 0
    interval: 10m
    timeouts: {tls_handshake: 20s}
    expect: denied
    http_error_fails: false
  - host: 2001:db8::10
mtu_probe:
  enabled: false
  interval: 2h
)";

TEST(YamlConfigTest, EveryKeyIsRead) {
  DaemonConfig config = parse_ok(kFullFile);
  EXPECT_EQ(config.proxy_file, "/tmp/iprep_proxy.conf");
  EXPECT_EQ(config.metrics_listen, (HostPort{"::1", 9100}));
  EXPECT_EQ(config.interval, seconds(30));
  EXPECT_EQ(config.jitter, milliseconds(500));
  PhaseTimeouts timeouts;
  timeouts.dns = seconds(1);
  timeouts.tcp_connect = seconds(2);
  timeouts.proxy_connect = seconds(3);
  timeouts.tls_handshake = seconds(4);
  timeouts.http_first_byte = seconds(5);
  timeouts.transfer = minutes(1);
  timeouts.stall = milliseconds(1'500);
  EXPECT_EQ(config.timeouts, timeouts);
  EXPECT_EQ(config.state_dir, "/var/tmp/pw");
  EXPECT_EQ(config.credentials_file, "/etc/proxywatch/credentials");
  EXPECT_EQ(config.log_level, LogLevel::kWarn);
  EXPECT_EQ(config.max_concurrent_probes, 10'000u);
  EXPECT_FALSE(config.mtu_probe.enabled);
  EXPECT_EQ(config.mtu_probe.interval, hours(2));
  ASSERT_EQ(config.targets.size(), 2u);
}

TEST(YamlConfigTest, TargetKeysAreReadAndTimeoutsOverrideKeyByKey) {
  DaemonConfig config = parse_ok(kFullFile);
  const TargetConfig& tools = config.targets[0];
  EXPECT_EQ(tools.name, "tools");
  EXPECT_EQ(tools.spec.target, (HostPort{"tools.cisco.com", 8443}));
  EXPECT_EQ(tools.spec.ca_file, "/etc/ssl/inspect-ca.pem");
  EXPECT_EQ(tools.spec.request, (HttpRequestSpec{"GET", "/healthz?x=1"}));
  EXPECT_EQ(tools.spec.max_bytes, 0u);
  EXPECT_EQ(tools.interval, minutes(10));
  EXPECT_EQ(tools.spec.timeouts.tls_handshake, seconds(20));
  EXPECT_EQ(tools.spec.timeouts.dns, seconds(1));  // from the global timeouts
  EXPECT_EQ(tools.spec.timeouts.stall, milliseconds(1'500));
  EXPECT_TRUE(tools.spec.expect_denied);
  EXPECT_FALSE(tools.spec.http_error_fails);
}

TEST(YamlConfigTest, TargetDefaultsComeFromGlobalKeys) {
  DaemonConfig config = parse_ok(kFullFile);
  const TargetConfig& v6 = config.targets[1];
  EXPECT_EQ(v6.name, "2001:db8::10:443");  // HOST:PORT, no brackets: a label, not an address
  EXPECT_EQ(v6.spec.target, (HostPort{"2001:db8::10", 443}));
  EXPECT_EQ(v6.interval, seconds(30));
  EXPECT_EQ(v6.spec.timeouts.tls_handshake, seconds(4));
  EXPECT_FALSE(v6.spec.request);
  EXPECT_FALSE(v6.spec.expect_denied);
  EXPECT_TRUE(v6.spec.http_error_fails);
}

TEST(YamlConfigTest, LogLevelNamesRoundTrip) {
  for (std::string_view name : {"trace", "debug", "info", "warn", "error"}) {
    DaemonConfig config = parse_ok("log_level: " + std::string(name));
    EXPECT_EQ(to_string(config.log_level), name);
  }
}

TEST(YamlConfigTest, RefuseBasicAuthIsOffByDefaultAndReachesEveryProbe) {
  EXPECT_FALSE(parse_ok("").refuse_basic_auth);
  EXPECT_TRUE(parse_ok("refuse_basic_auth: true\n").refuse_basic_auth);
  expect_error("refuse_basic_auth: maybe\n", 1, 20, "refuse_basic_auth", "");
}

TEST(YamlConfigTest, DefaultJitterFollowsTheShortestInterval) {
  EXPECT_EQ(parse_ok("interval: 1s\n").jitter, milliseconds(100));
  EXPECT_EQ(parse_ok("interval: 5s\n").jitter, milliseconds(500));
  EXPECT_EQ(parse_ok("interval: 10m\n").jitter, seconds(5));
  EXPECT_EQ(parse_ok("targets:\n  - {host: a.example, interval: 2s}\n").jitter, milliseconds(200));
  EXPECT_EQ(parse_ok("interval: 1ms\n").jitter, milliseconds(0));
}

// ---- load_yaml_config ----

// A fresh directory; file(NAME) is the path of NAME in it.
class TempDir {
 public:
  std::string file(std::string_view name) const { return (dir_.path() / name).string(); }

 private:
  testing::TempDir dir_{"proxywatch-test"};
};

TEST(YamlConfigTest, LoadMissingFileIsNotFoundError) {
  TempDir dir;
  auto result = load_yaml_config(dir.file("proxywatch.yaml"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, Error::Kind::kNotFound);
  EXPECT_EQ(result.error().to_string(), dir.file("proxywatch.yaml") + ": file does not exist");
}

TEST(YamlConfigTest, LoadDirectoryIsUnreadableError) {
  TempDir dir;
  auto result = load_yaml_config(dir.file(""));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, Error::Kind::kUnreadable);
}

TEST(YamlConfigTest, LoadFileNamesItInErrorsAndResult) {
  TempDir dir;
  std::string path = dir.file("proxywatch.yaml");
  std::ofstream(path) << "interval: 30s\njitter: 1m\n";
  auto bad = load_yaml_config(path);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().to_string(),
            path + ":2:9: jitter: jitter (1m) must be shorter than interval (30s)");
  std::ofstream(path) << "interval: 30s\n";
  auto good = load_yaml_config(path);
  ASSERT_TRUE(good) << good.error().to_string();
  EXPECT_EQ(good->source, path);
  EXPECT_EQ(good->interval, seconds(30));
}

TEST(YamlConfigHealthTest, DefaultsWhenAbsent) {
  DaemonConfig config = parse_ok("interval: 30s\n");
  EXPECT_EQ(config.health, HealthSettings{});
  EXPECT_EQ(config.targets[0].expect_issuer, "");
}

TEST(YamlConfigHealthTest, EveryKeyIsRead) {
  DaemonConfig config = parse_ok(
      "health:\n  window_probes: 10\n  window_duration: 30m\n  min_samples: 4\n"
      "  failing_after: 2\n  recover_after: 3\n  degraded_percent: 25\n  persistent_after: 5\n"
      "  overload_percent: 40\n  flapping_changes: 6\n  transfer_cut_after: 2\n"
      "targets:\n  - {host: a.example, expect_issuer: \"CN=IdenTrust\"}\n");
  const HealthSettings& h = config.health;
  EXPECT_EQ(h.window_probes, 10u);
  EXPECT_EQ(h.window_duration, std::chrono::minutes(30));
  EXPECT_EQ(h.min_samples, 4u);
  EXPECT_EQ(h.failing_after, 2u);
  EXPECT_EQ(h.recover_after, 3u);
  EXPECT_EQ(h.degraded_percent, 25u);
  EXPECT_EQ(h.persistent_after, 5u);
  EXPECT_EQ(h.overload_percent, 40u);
  EXPECT_EQ(h.flapping_changes, 6u);
  EXPECT_EQ(h.transfer_cut_after, 2u);
  EXPECT_EQ(config.targets[0].expect_issuer, "CN=IdenTrust");
}

}  // namespace
}  // namespace proxywatch::config
