// Tests for config/yaml_config.h, what is refused: unknown keys, wrong types, bad durations and
// bounds, inconsistent values, YAML syntax, streams that stall yaml-cpp and foreign files —
// each error naming the key path, line and column, and quoting no more than it must.
#include "config/yaml_config.h"

#include <gtest/gtest.h>

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
  Error error = parse_error(
      "targets:\n  - host: a.example\n  - host: b.example\n    timeouts:\n"
      "      tls_handshake: fast\n");
  EXPECT_EQ(error.to_string(),
            "/etc/proxywatch/proxywatch.yaml:5:22: targets[1].timeouts.tls_handshake: expected a "
            "duration like 10s, got \"fast\" (a duration starts with a number, like 10s)");
  expect_error("interval: 10w\n", 1, 11, "interval",
               "interval: expected a duration like 10s, got \"10w\" (unknown unit \"w\"");
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
  expect_error("targets: []\n", 1, 10, "targets", "targets: nothing to probe");
}

TEST(YamlConfigTest, TargetWithoutHostIsError) {
  expect_error("targets:\n  - name: t\n    port: 443\n", 2, 5, "targets[0]",
               "targets[0]: missing the required key host (or url)");
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
  Error error = parse_error("targets:\n  - host: [a, b\ninterval: 3s\n");
  EXPECT_GT(error.where->line, 0);
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

// Deep nesting and merge keys get plain messages naming the line, not yaml-cpp's "bad file"
// (its own guard at 500 levels) nor "a word of 2 bytes" (the key "<<" quoted as a token).
TEST(YamlConfigErrorsTest, DeepNestingAndMergeKeysArePlainLocatedErrors) {
  std::string deep = "targets:\n  - host: " + std::string(600, '[') + "\n";
  Error error = parse_error(deep);
  EXPECT_EQ(error.where->line, 2) << error.to_string();
  EXPECT_NE(error.message.find("nested deeper than 32 levels at line 2"), std::string::npos)
      << error.to_string();
  EXPECT_EQ(error.message.find("bad file"), std::string::npos) << error.to_string();
  EXPECT_TRUE(parse_ok("targets:\n  - {host: example.com, timeouts: {dns: 2s}}\n").targets.size());
  expect_error("interval: 30s\n<<: {jitter: 1s}\n", 2, 1, "<<",
               "merge keys (<<) are not supported: write the keys out (line 2)");
  expect_error("health:\n  <<: {windows: 4}\n", 2, 3, "health.<<", "merge keys (<<)");
}

TEST(YamlConfigErrorsTest, MetricsAllowedHostsAreHostNamesOrAStar) {
  EXPECT_TRUE(parse_ok("").metrics_allowed_hosts.empty());
  EXPECT_EQ(parse_ok("metrics_allowed_hosts: [fmc.example.com, \"[::1]\", 192.0.2.1]\n")
                .metrics_allowed_hosts,
            (std::vector<std::string>{"fmc.example.com", "[::1]", "192.0.2.1"}));
  EXPECT_EQ(parse_ok("metrics_allowed_hosts: [\"*\"]\n").metrics_allowed_hosts,
            std::vector<std::string>{"*"});
  expect_error("metrics_allowed_hosts: fmc.example.com\n", 1, 24, "metrics_allowed_hosts",
               "expected a list of host names");
  expect_error("metrics_allowed_hosts: [\"a/b\"]\n", 1, 24, "metrics_allowed_hosts",
               "\"a/b\" contains invalid character");
}

TEST(YamlConfigTest, MoreThanOneDocumentIsError) {
  expect_error("interval: 30s\n---\ninterval: 1m\n", 3, 1, "", "more than one YAML document");
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
  EXPECT_EQ(plain.error().where->key_path, "intervall");
  std::string odd = "\x99r\x07ct$2b$" + std::string(60, 'k') + ": 1\n";
  auto parsed = parse_yaml_config(odd, "f.yaml");
  ASSERT_FALSE(parsed);
  std::string message = parsed.error().to_string();
  EXPECT_NE(message.find("unknown key"), std::string::npos) << message;
  EXPECT_EQ(message.find(std::string(30, 'k')), std::string::npos) << message;
  for (char c : message) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << message;
}

TEST(YamlConfigErrorsTest, HistoryRetentionIsReadAndCheckedWithItsReason) {
  DaemonConfig config =
      parse_ok("history: {max_age: 30d, failure_max_age: 180d, max_size_mib: 64}\n");
  EXPECT_EQ(config.history.max_age, hours(24 * 30));
  EXPECT_EQ(config.history.failure_max_age, hours(24 * 180));
  EXPECT_EQ(config.history.max_size_mib, 64u);
  EXPECT_EQ(parse_ok("").history, HistoryConfig{});
  expect_error("history: {max_age: 30d, failure_max_age: 7d}\n", 1, 42, "history.failure_max_age",
               "failure_max_age (168h) must not be shorter than max_age (720h)");
  // Only max_age was written: the error is there (the default failure_max_age is 365d).
  expect_error("history: {max_age: 400d}\n", 1, 20, "history.max_age",
               "must not be shorter than max_age");
  expect_error("history: {max_age: 30m}\n", 1, 20, "history.max_age", "at least 1h");
  expect_error("history: {max_age: 11000d}\n", 1, 20, "history.max_age", "");
  expect_error("history: {max_size_mib: 0}\n", 1, 25, "history.max_size_mib", "outside 1-1048576");
  expect_error("history: {keep: 1d}\n", 1, 11, "history.keep", "unknown key");
}

TEST(YamlConfigErrorsTest, CaptureIsOffByDefaultAndItsBoundsAreChecked) {
  EXPECT_EQ(parse_ok("").capture, CaptureConfig{});
  EXPECT_FALSE(CaptureConfig{}.enabled);
  DaemonConfig config =
      parse_ok("capture: {enabled: true, max_files: 5, max_size_mib: 8, max_age: 2d}\n");
  EXPECT_TRUE(config.capture.enabled);
  EXPECT_EQ(config.capture.max_files, 5u);
  EXPECT_EQ(config.capture.max_size_mib, 8u);
  EXPECT_EQ(config.capture.max_age, hours(48));
  expect_error("capture: {max_files: 0}\n", 1, 22, "capture.max_files", "outside 1-10000");
  expect_error("capture: {max_size_mib: 0}\n", 1, 25, "capture.max_size_mib", "outside 1-1048576");
  expect_error("capture: {max_age: 5m}\n", 1, 20, "capture.max_age", "at least 1h");
  expect_error("capture: {enabled: maybe}\n", 1, 20, "capture.enabled", "");
  expect_error("capture: {dir: /tmp}\n", 1, 11, "capture.dir", "unknown key");
}

TEST(YamlConfigErrorsTest, MetricsAreLeanWithoutHistogramsByDefaultAndTheSetIsNamed) {
  EXPECT_EQ(parse_ok("").metrics, MetricOptions{});
  EXPECT_EQ(MetricOptions{}.series, SeriesSet::kLean);
  EXPECT_FALSE(MetricOptions{}.histograms);
  DaemonConfig config = parse_ok("metrics: {series: full, histograms: true}\n");
  EXPECT_EQ(config.metrics.series, SeriesSet::kFull);
  EXPECT_TRUE(config.metrics.histograms);
  EXPECT_EQ(parse_ok("metrics: {series: lean}\n").metrics, MetricOptions{});
  expect_error("metrics: {series: all}\n", 1, 19, "metrics.series", "expected lean or full");
  expect_error("metrics: {series: Full}\n", 1, 19, "metrics.series", "expected lean or full");
  expect_error("metrics: {histograms: yes}\n", 1, 23, "metrics.histograms", "");
  expect_error("metrics: {buckets: [1]}\n", 1, 11, "metrics.buckets", "unknown key");
  expect_error("metrics: lean\n", 1, 10, "metrics", "");
}

TEST(YamlConfigErrorsTest, ConfirmationDelaysDefaultToFiveTenTwentySecondsAndAreBounded) {
  using std::chrono::milliseconds;
  const std::vector<Millis> defaults{milliseconds(5000), milliseconds(10000), milliseconds(20000)};
  EXPECT_EQ(parse_ok("").confirm.delays, defaults);
  EXPECT_EQ(parse_ok("confirm: {delays: [2s, 500ms]}\n").confirm.delays,
            (std::vector<Millis>{milliseconds(2000), milliseconds(500)}));
  EXPECT_TRUE(parse_ok("confirm: {delays: []}\n").confirm.delays.empty()) << "[] turns them off";
  EXPECT_EQ(parse_ok("confirm: {}\n").confirm.delays, defaults);
  expect_error("confirm: {delays: 5s}\n", 1, 19, "confirm.delays", "expected a list of durations");
  expect_error("confirm: {delays: [1s, 1s, 1s, 1s, 1s, 1s]}\n", 1, 19, "confirm.delays",
               "at most 5 confirmation probes, got 6");
  expect_error("confirm: {delays: [5s, 50ms]}\n", 1, 19, "confirm.delays",
               "at least 100ms, got 50ms");
  expect_error("confirm: {delays: [0s]}\n", 1, 19, "confirm.delays", "");
  expect_error("confirm: {delays: [11m]}\n", 1, 19, "confirm.delays", "");
  expect_error("confirm: {delays: [soon]}\n", 1, 19, "confirm.delays", "");
  expect_error("confirm: {after: [5s]}\n", 1, 11, "confirm.after", "unknown key");
  expect_error("confirm: [5s]\n", 1, 10, "confirm", "");
}

}  // namespace
}  // namespace proxywatch::config
