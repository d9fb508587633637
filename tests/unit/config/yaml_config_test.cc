// Tests for config/yaml_config.h: defaults when keys are absent, every key read, and errors that
// name the key path, line and column.
#include "config/yaml_config.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <stdlib.h>

namespace proxywatch::config {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::string_view kSource = "/etc/proxywatch/proxywatch.yaml";

DaemonConfig parse_ok(std::string_view text) {
  auto result = parse_yaml_config(text, kSource);
  EXPECT_TRUE(result) << (result ? "" : result.error().to_string());
  return result ? *result : DaemonConfig{};
}

ConfigError parse_error(std::string_view text) {
  auto result = parse_yaml_config(text, kSource);
  EXPECT_FALSE(result) << "parsed without error:\n" << text;
  return result ? ConfigError{} : result.error();
}

void expect_error(std::string_view text, int line, int column, std::string_view key_path,
                  std::string_view message) {
  ConfigError error = parse_error(text);
  EXPECT_EQ(error.line, line) << error.to_string();
  EXPECT_EQ(error.column, column) << error.to_string();
  EXPECT_EQ(error.key_path, key_path) << error.to_string();
  EXPECT_NE(error.message.find(message), std::string::npos) << error.to_string();
  EXPECT_EQ(error.file, kSource);
}

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
  ASSERT_EQ(config.targets.size(), 2u);
  EXPECT_EQ(config.targets[0].name, "tools.cisco.com:443");
  EXPECT_EQ(config.targets[0].spec.target, (HostPort{"tools.cisco.com", 443}));
  EXPECT_EQ(config.targets[1].name, "smartreceiver.cisco.com:443");
  EXPECT_EQ(config.targets[1].spec.target, (HostPort{"smartreceiver.cisco.com", 443}));
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
  ASSERT_EQ(config.targets.size(), 2u);
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

// ---- errors ----

TEST(YamlConfigTest, UnknownTopLevelKeyIsError) {
  expect_error("interval: 30s\nintervall: 1m\n", 2, 1, "intervall",
               "intervall: unknown key (expected one of proxy_file, metrics_listen,");
}

TEST(YamlConfigTest, UnknownNestedKeyIsErrorWithItsPath) {
  expect_error("targets:\n  - host: a.example\n  - host: b.example\n    hots: c\n", 4, 5,
               "targets[1].hots", "targets[1].hots: unknown key");
  expect_error("timeouts:\n  connect: 1s\n", 2, 3, "timeouts.connect",
               "timeouts.connect: unknown key (expected one of dns, tcp_connect,");
  expect_error("mtu_probe: {enable: true}\n", 1, 13, "mtu_probe.enable", "unknown key");
}

TEST(YamlConfigTest, BadDurationIsErrorNamingThePath) {
  ConfigError error = parse_error(
      "targets:\n  - host: a.example\n  - host: b.example\n    timeouts:\n"
      "      tls_handshake: fast\n");
  EXPECT_EQ(error.to_string(),
            "/etc/proxywatch/proxywatch.yaml:5:22: targets[1].timeouts.tls_handshake: expected a "
            "duration like 10s, got \"fast\" (a duration starts with a number, like 10s)");
  expect_error("interval: 10d\n", 1, 11, "interval",
               "interval: expected a duration like 10s, got \"10d\" (unknown unit \"d\"");
  expect_error("jitter: -1s\n", 1, 9, "jitter", "cannot be negative");
  expect_error("timeouts:\n  dns: 0s\n", 2, 8, "timeouts.dns", "must be longer than 0s");
  expect_error("interval: 0s\n", 1, 11, "interval", "must be longer than 0s");
}

TEST(YamlConfigTest, WrongTypeIsError) {
  expect_error("interval: [1, 2]\n", 1, 11, "interval",
               "interval: expected a duration like 10s, got a list");
  expect_error("timeouts: 10s\n", 1, 11, "timeouts",
               "timeouts: expected a mapping of key: value, got \"10s\"");
  expect_error("targets: tools.cisco.com\n", 1, 10, "targets",
               "expected a list of targets, got \"tools.cisco.com\"");
  expect_error("targets:\n  - tools.cisco.com\n", 2, 5, "targets[0]",
               "targets[0]: expected a mapping of key: value");
  expect_error("state_dir: {a: b}\n", 1, 12, "state_dir", "expected a string, got a mapping");
  expect_error("- a\n- b\n", 1, 1, "top level", "top level: expected a mapping");
}

TEST(YamlConfigTest, KeyWithoutValueIsErrorAtTheKey) {
  expect_error("interval:\nlog_level: info\n", 1, 1, "interval", "interval: has no value");
  expect_error("targets:\n", 1, 1, "targets", "has no value");
}

TEST(YamlConfigTest, JitterNotShorterThanIntervalIsError) {
  expect_error("interval: 10s\njitter: 10s\n", 2, 9, "jitter",
               "jitter: jitter (10s) must be shorter than interval (10s)");
  expect_error("jitter: 1m\n", 1, 9, "jitter", "jitter (1m) must be shorter than interval (1m)");
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

TEST(YamlConfigTest, DurationsAboveTheirBoundAreErrorsNamingTheBound) {
  expect_error("interval: 3000000h\n", 1, 11, "interval",
               "interval: must be at most 24h, got 3000000h");
  expect_error("timeouts:\n  proxy_connect: 3000000h\n", 2, 18, "timeouts.proxy_connect",
               "must be at most 1h, got 3000000h");
  expect_error("targets:\n  - {host: a.example, interval: 25h}\n", 2, 33, "targets[0].interval",
               "must be at most 24h");
  expect_error("targets:\n  - {host: a.example, timeouts: {stall: 2h}}\n", 2, 41,
               "targets[0].timeouts.stall", "must be at most 1h");
  expect_error("mtu_probe: {interval: 169h}\n", 1, 23, "mtu_probe.interval",
               "must be at most 168h");
  expect_error("health: {window_duration: 721h}\n", 1, 27, "health.window_duration",
               "must be at most 720h");
  expect_error("jitter: 2h\n", 1, 9, "jitter", "must be at most 1h");
  EXPECT_EQ(parse_ok("interval: 24h\ntimeouts: {transfer: 1h}\n").interval, hours(24));
}

TEST(YamlConfigTest, TargetIntervalNotLongerThanJitterIsError) {
  expect_error("jitter: 10s\ntargets:\n  - host: a.example\n    interval: 10s\n", 4, 15,
               "targets[0].interval", "must be longer than jitter (10s)");
}

TEST(YamlConfigTest, DuplicateTargetNamesAreError) {
  expect_error("targets:\n  - name: t\n    host: a.example\n  - name: t\n    host: b.example\n", 4,
               11, "targets[1].name",
               "targets[1].name: duplicate target name \"t\", already used by targets[0]");
  expect_error("targets:\n  - host: a.example\n  - {host: a.example}\n", 3, 5, "targets[1]",
               "duplicate target name \"a.example:443\"");
  // Different ports make different default names.
  EXPECT_EQ(parse_ok("targets:\n  - host: a.example\n  - {host: a.example, port: 8443}\n")
                .targets[1]
                .name,
            "a.example:8443");
}

TEST(YamlConfigTest, EmptyTargetListIsError) {
  expect_error("targets: []\n", 1, 10, "targets", "targets: no targets");
}

TEST(YamlConfigTest, TargetWithoutHostIsError) {
  expect_error("targets:\n  - name: t\n    port: 443\n", 2, 5, "targets[0]",
               "targets[0]: missing the required key host");
}

TEST(YamlConfigTest, InvalidTargetValuesAreErrors) {
  const std::string kHead = "targets:\n  - host: a.example\n    ";
  expect_error(kHead + "port: 70000\n", 3, 11, "targets[0].port",
               "targets[0].port: 70000 is outside 1-65535");
  expect_error(kHead + "port: https\n", 3, 11, "targets[0].port",
               "expected a whole number in 1-65535, got \"https\"");
  expect_error(kHead + "name: tools cisco\n", 3, 11, "targets[0].name",
               "\"tools cisco\" is not a valid name: it becomes a metric label");
  expect_error(kHead + "name: \"\"\n", 3, 11, "targets[0].name", "is not a valid name");
  expect_error(kHead + "expect: maybe\n", 3, 13, "targets[0].expect",
               "expected ok or denied, got \"maybe\"");
  expect_error(kHead + "http_error_fails: yes\n", 3, 23, "targets[0].http_error_fails",
               "expected true or false, got \"yes\"");
  expect_error(kHead + "request: POST /\n", 3, 14, "targets[0].request",
               "request method 'POST' is not HEAD or GET");
  expect_error(kHead + "max_bytes: -1\n", 3, 16, "targets[0].max_bytes", "expected a whole number");
  expect_error("targets:\n  - host: http://a.example/\n", 2, 11, "targets[0].host",
               "\"http://a.example/\" is a URL");
}

TEST(YamlConfigTest, InvalidGlobalValuesAreErrors) {
  expect_error("log_level: verbose\n", 1, 12, "log_level",
               "expected one of trace, debug, info, warn, error, got \"verbose\"");
  expect_error("max_concurrent_probes: 0\n", 1, 24, "max_concurrent_probes",
               "0 is outside 1-10000");
  expect_error("max_concurrent_probes: 10001\n", 1, 24, "max_concurrent_probes",
               "10001 is outside 1-10000");
  expect_error("metrics_listen: localhost\n", 1, 17, "metrics_listen",
               "expected HOST:PORT like 127.0.0.1:39555");
  expect_error("proxy_file: \"\"\n", 1, 13, "proxy_file", "must not be empty");
  expect_error("mtu_probe:\n  enabled: 1\n", 2, 12, "mtu_probe.enabled", "expected true or false");
}

TEST(YamlConfigTest, DuplicateKeyIsError) {
  expect_error("interval: 30s\nlog_level: info\ninterval: 1m\n", 3, 1, "interval",
               "interval: duplicate key (first set at line 1)");
}

TEST(YamlConfigTest, YamlSyntaxErrorHasLineAndColumn) {
  ConfigError error = parse_error("targets:\n  - host: [a, b\ninterval: 3s\n");
  EXPECT_GT(error.line, 0);
  EXPECT_NE(error.message.find("invalid YAML"), std::string::npos) << error.to_string();
  expect_error("interval: 30s\n\tjitter: 1s\n", 2, 1, "", "invalid YAML");
}

TEST(YamlConfigTest, StreamsThatStallYamlCppAreErrorsNotHangs) {
  // Found by tests/fuzz/yaml_config_fuzz: yaml-cpp 0.7's LoadAll loops forever, allocating,
  // on these (upstream PR 1319); each must be a prompt, located error.
  for (std::string_view text : {",-\n", ",\n", "- a\n,-\n"}) {
    auto result = parse_yaml_config(text, "f.yaml");
    ASSERT_FALSE(result) << text;
    EXPECT_NE(result.error().message.find("invalid YAML"), std::string::npos)
        << result.error().to_string();
  }
}

TEST(YamlConfigTest, AForeignFileIsQuotedAsAShortPrefixOnly) {
  // /etc/shadow's first line is one YAML scalar: the message quotes 40 bytes of it, escaped.
  auto result = parse_yaml_config(
      "root:$y$j9T$Q2x3c4v5b6n7m8$abcdefghijklmnopqrstuvwxyz012345:19000", "f.yaml");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().to_string().find("abcdefghijklmnopqrstuvwxyz"), std::string::npos)
      << result.error().to_string();
}

TEST(YamlConfigTest, MoreThanOneDocumentIsError) {
  expect_error("interval: 30s\n---\ninterval: 1m\n", 3, 1, "", "more than one YAML document");
}

// ---- load_yaml_config ----

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "proxywatch-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

TEST(YamlConfigTest, LoadMissingFileIsNotFoundError) {
  TempDir dir;
  auto result = load_yaml_config(dir.file("proxywatch.yaml"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ConfigError::Kind::kNotFound);
  EXPECT_EQ(result.error().to_string(), dir.file("proxywatch.yaml") + ": file does not exist");
}

TEST(YamlConfigTest, LoadDirectoryIsUnreadableError) {
  TempDir dir;
  auto result = load_yaml_config(dir.file(""));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ConfigError::Kind::kUnreadable);
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

}  // namespace
}  // namespace proxywatch::config

namespace proxywatch::config {
namespace {

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

TEST(YamlConfigHealthTest, OutOfRangeAndInconsistentValuesAreErrors) {
  expect_error("health:\n  degraded_percent: 101\n", 2, 21, "health.degraded_percent",
               "outside 1-100");
  expect_error("health:\n  window_probes: 1\n", 2, 18, "health.window_probes", "outside 2-10000");
  expect_error("health:\n  window_duration: 0s\n", 2, 20, "health.window_duration", "at least 1s");
  expect_error("health:\n  window_probes: 4\n  min_samples: 5\n", 3, 16, "health.min_samples",
               "must not exceed window_probes (4)");
  expect_error("health:\n  windows: 4\n", 2, 3, "health.windows", "");
}

// A key name is the file's: a plain one is named as it is, anything else as a short escaped
// token, so no raw non-ASCII byte and no long foreign text reaches a message (web_config_fuzz).
TEST(YamlConfigTest, UnknownKeyThatIsNoPlainNameIsAShortToken) {
  auto plain = parse_yaml_config("intervall: 5s\n", "f.yaml");
  ASSERT_FALSE(plain);
  EXPECT_EQ(plain.error().key_path, "intervall");
  std::string odd = "\x99r\x07ct$2b$" + std::string(60, 'k') + ": 1\n";
  auto parsed = parse_yaml_config(odd, "f.yaml");
  ASSERT_FALSE(parsed);
  std::string message = parsed.error().to_string();
  EXPECT_NE(message.find("unknown key"), std::string::npos) << message;
  EXPECT_EQ(message.find(std::string(30, 'k')), std::string::npos) << message;
  for (char c : message) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << message;
}

}  // namespace
}  // namespace proxywatch::config
