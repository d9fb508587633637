// The daemon's journal events as journald stores them: `proxywatch daemon --log-target journal`
// runs in a mount namespace with a private systemd-journald (tests/integration/
// private_journal.sh), probes a FakeProxy that refuses the first three tunnels with 403 and
// relays the following ones to a TLS origin (a failure and a recovery: outcome changes, health
// failing then healthy, acl_block raised then cleared), and the test reads the events back with
// `journalctl -D DIR MESSAGE_ID=... -o json`: fields and PRIORITY as docs/journal.md says,
// and `journalctl -x` with the catalog under test (systemd/proxywatch.catalog) explaining them.
// Needs root (unshare -m) and /lib/systemd/systemd-journald; nothing outside the test's
// directories is written, and the machine's journal never sees these events.
#include <signal.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/fake_proxy.h"
#include "tests/support/local_port.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_origin.h"
#include "tests/support/wait.h"

namespace proxywatch::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kJournald = "/lib/systemd/systemd-journald";
constexpr int kRefused = 3;  // tunnels the proxy refuses before it relays
constexpr const char* kOutcomeChanged = "d1d245386690401bb7437c165cf3fd6b";
constexpr const char* kHealthChanged = "d53e7a4a09d34d31b9f99c743510eea5";
constexpr const char* kDiagnosisRaised = "aa835c9b8ab0411d96423fc631be0545";
constexpr const char* kDiagnosisCleared = "ead306a7d06b4750adb0ec60a4823333";
constexpr const char* kDaemonStarted = "b0b66d6131fd4248981e82eea3b0b52f";
constexpr const char* kConfigApplied = "aa8c20a9d24f4b2cbb3c80643e326e82";
constexpr const char* kDaemonStopping = "02e76f5d746e48ab8e76168cd2408631";
constexpr const char* kConfigRejected = "c08233dd6da5411383568ddbceab40f1";

std::string helper() {
  return std::string(PROXYWATCH_SOURCE_DIR) + "/tests/integration/private_journal.sh";
}

std::string field(const json::object& entry, std::string_view name) {
  const json::value* v = entry.if_contains(name);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

class JournaldTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for unshare -m";
    if (!std::filesystem::exists(kJournald)) GTEST_SKIP() << kJournald << " is not installed";
    ca_file_ = shared_pki().ca.cert_file.string();
    origin_ = std::make_unique<TlsOrigin>();
    // Three refused tunnels (failing after 3, acl_block after 3), then only working ones.
    FakeProxy::Options options{.upstream_port = origin_->port(),
                               .status_line = "HTTP/1.1 403 Forbidden"};
    options.cycle.assign(200, FakeProxy::Behavior::kRelay);
    for (int i = 0; i < kRefused; ++i) options.cycle[i] = FakeProxy::Behavior::kStatus;
    proxy_ = std::make_unique<FakeProxy>(options);
    dir_.write_file("journald.conf",
                    "[Journal]\nStorage=volatile\nReadKMsg=no\nForwardToSyslog=no\n"
                    "ForwardToWall=no\nForwardToConsole=no\n");
    dir_.write_file("iprep_proxy.conf", "iprep_proxy {\n  PROXY_HOST 127.0.0.1;\n  PROXY_PORT " +
                                            std::to_string(proxy_->port()) + ";\n}\n");
    dir_.write_file("proxywatch.yaml", yaml());
  }

  std::string yaml() const {
    return "proxy_file: " + (dir_.path() / "iprep_proxy.conf").string() +
           "\nmetrics_listen: 127.0.0.1:" + std::to_string(metrics_port_) +
           "\ninterval: 1s\njitter: 0s\nstate_dir: " + dir_.path().string() +
           "\nmtu_probe: {enabled: false}\n"
           // A short window, so that four passes after the failures make the pair healthy.
           "health: {window_probes: 4, min_samples: 2, failing_after: 3, persistent_after: 3}\n"
           "targets:\n  - {name: origin, host: origin.test, port: " +
           std::to_string(origin_->port()) + ", ca_file: " + ca_file_ + "}\n";
  }

  void start_daemon() {
    daemon_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{helper(), "run", dir_.path().string(), "--", PROXYWATCH_BINARY,
                                 "daemon", "--log-target", "journal", "--config",
                                 (dir_.path() / "proxywatch.yaml").string()},
        dir_.path() / "daemon.log");
  }

  // The entries with `message_id`, as journalctl prints them with -o json (one per line).
  std::vector<json::object> entries(const std::string& message_id) const {
    ProcessResult r = run_process({"journalctl", "-D", journal_dir(), "--no-pager", "-o", "json",
                                   "MESSAGE_ID=" + message_id});
    std::vector<json::object> out;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      boost::system::error_code ec;
      json::value v = json::parse(line, ec);
      if (!ec && v.is_object()) out.push_back(v.as_object());
    }
    return out;
  }

  // Waits up to `deadline` for an entry with `message_id` whose field `name` is `value` (any
  // entry when `name` is empty) and returns the first such entry.
  std::optional<json::object> wait_for(const std::string& message_id, std::string_view name = "",
                                       std::string_view value = "",
                                       std::chrono::milliseconds deadline = 30s) const {
    std::optional<json::object> hit;
    wait_until(
        [&] {
          for (json::object& e : entries(message_id)) {
            if (name.empty() || field(e, name) == value) {
              hit = std::move(e);
              return true;
            }
          }
          return false;
        },
        deadline, 200ms);
    return hit;
  }

  // The catalog built from systemd/proxywatch.catalog in DIR/catalog-root.
  void build_catalog() const {
    auto root = dir_.path() / "catalog-root";
    std::filesystem::create_directories(root / "usr/lib/systemd/catalog");
    std::filesystem::copy_file(std::string(PROXYWATCH_SOURCE_DIR) + "/systemd/proxywatch.catalog",
                               root / "usr/lib/systemd/catalog/proxywatch.catalog");
    ProcessResult r = run_process({"journalctl", "--root", root.string(), "--update-catalog"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // `journalctl -x` of the entries with `message_id`, explained with the catalog under test.
  std::string explained(const std::string& message_id) const {
    ProcessResult r = run_process({helper(), "catalog", (dir_.path() / "catalog-root").string(),
                                   "--", "journalctl", "-D", journal_dir(), "--no-pager", "-x",
                                   "MESSAGE_ID=" + message_id});
    return r.out + r.err;
  }

  // The daemon's pid inside the helper (its child), or -1 before the helper wrote it.
  pid_t command_pid() const {
    std::string text;
    wait_until([&] { return !(text = dir_.read_file("command.pid")).empty(); }, 10s);
    return text.empty() ? -1 : static_cast<pid_t>(std::stol(text));
  }

  std::string journal_dir() const { return (dir_.path() / "run/log/journal").string(); }

  std::string log() const { return daemon_ ? daemon_->log() : ""; }

  TempDir dir_{"pw-journald"};
  std::string ca_file_;
  std::uint16_t metrics_port_ = pick_free_port();
  std::unique_ptr<TlsOrigin> origin_;
  std::unique_ptr<FakeProxy> proxy_;
  std::unique_ptr<ChildProcess> daemon_;
};

TEST_F(JournaldTest, AFailureAndARecoveryAreStoredWithTheirFieldsAndPriorities) {
  start_daemon();
  std::string proxy = "127.0.0.1:" + std::to_string(proxy_->port());

  auto started = wait_for(kDaemonStarted);
  ASSERT_TRUE(started) << log();
  EXPECT_EQ(field(*started, "PRIORITY"), "6");
  EXPECT_EQ(field(*started, "SYSLOG_IDENTIFIER"), "proxywatch");

  // probe_outcome_changed (info): the first probe failed, later the outcome turned ok.
  auto denied = wait_for(kOutcomeChanged, "OUTCOME", "proxy_denied");
  ASSERT_TRUE(denied) << log();
  EXPECT_EQ(field(*denied, "PRIORITY"), "6");
  EXPECT_EQ(field(*denied, "SYSLOG_IDENTIFIER"), "proxywatch");
  EXPECT_EQ(field(*denied, "PROXY"), proxy);
  EXPECT_EQ(field(*denied, "TARGET"), "origin");
  EXPECT_EQ(field(*denied, "PHASE"), "proxy_connect");
  EXPECT_EQ(field(*denied, "PREVIOUS_OUTCOME"), "");  // the pair's first probe
  EXPECT_FALSE(field(*denied, "MESSAGE").empty());
  std::string duration = field(*denied, "DURATION_MS");
  EXPECT_FALSE(duration.empty());
  EXPECT_EQ(duration.find_first_not_of("0123456789"), std::string::npos) << duration;
  auto ok = wait_for(kOutcomeChanged, "OUTCOME", "ok");
  ASSERT_TRUE(ok) << log();
  EXPECT_EQ(field(*ok, "PRIORITY"), "6");
  EXPECT_EQ(field(*ok, "PREVIOUS_OUTCOME"), "proxy_denied");

  // health_changed: warning to failing, notice back to healthy.
  auto failing = wait_for(kHealthChanged, "HEALTH", "failing");
  ASSERT_TRUE(failing) << log();
  EXPECT_EQ(field(*failing, "PRIORITY"), "4");
  EXPECT_EQ(field(*failing, "TARGET"), "origin");
  EXPECT_EQ(field(*failing, "PROXY"), proxy);
  EXPECT_EQ(field(*failing, "OUTCOME"), "proxy_denied");
  EXPECT_EQ(field(*failing, "CONSECUTIVE_FAILURES"), std::to_string(kRefused));
  EXPECT_FALSE(field(*failing, "PREVIOUS_HEALTH").empty());
  EXPECT_FALSE(field(*failing, "WINDOW_PROBES").empty());
  auto healthy = wait_for(kHealthChanged, "HEALTH", "healthy");
  ASSERT_TRUE(healthy) << log();
  EXPECT_EQ(field(*healthy, "PRIORITY"), "5");
  EXPECT_EQ(field(*healthy, "OUTCOME"), "ok");

  // diagnosis_raised (warning) and diagnosis_cleared (notice) for the persistent 403s.
  auto raised = wait_for(kDiagnosisRaised, "DIAGNOSIS", "acl_block");
  ASSERT_TRUE(raised) << log();
  EXPECT_EQ(field(*raised, "PRIORITY"), "4");
  EXPECT_EQ(field(*raised, "TARGET"), "origin");
  auto cleared = wait_for(kDiagnosisCleared, "DIAGNOSIS", "acl_block");
  ASSERT_TRUE(cleared) << log();
  EXPECT_EQ(field(*cleared, "PRIORITY"), "5");

  // One event per change, never per probe: more passing probes add no outcome event.
  std::size_t probes = proxy_->requests().size();
  ASSERT_TRUE(wait_until([&] { return proxy_->requests().size() >= probes + 2; }, 10s)) << log();
  EXPECT_EQ(entries(kOutcomeChanged).size(), 2u);

  daemon_->terminate();
  auto stopping = wait_for(kDaemonStopping, "", "", 5s);
  ASSERT_TRUE(stopping) << log();
  EXPECT_EQ(field(*stopping, "PRIORITY"), "6");
}

TEST_F(JournaldTest, RejectedAndAppliedReloadsAreErrorAndInfo) {
  start_daemon();
  ASSERT_TRUE(wait_for(kDaemonStarted)) << log();
  pid_t daemon = command_pid();
  ASSERT_GT(daemon, 0) << log();

  dir_.write_file("proxywatch.yaml", yaml() + "no_such_key: 1\n");
  ASSERT_EQ(::kill(daemon, SIGHUP), 0);
  auto rejected = wait_for(kConfigRejected);
  ASSERT_TRUE(rejected) << log();
  EXPECT_EQ(field(*rejected, "PRIORITY"), "3");
  EXPECT_NE(field(*rejected, "MESSAGE").find("proxywatch.yaml"), std::string::npos)
      << field(*rejected, "MESSAGE");

  std::size_t applied_before = entries(kConfigApplied).size();
  dir_.write_file("proxywatch.yaml", yaml());
  ASSERT_EQ(::kill(daemon, SIGHUP), 0);
  ASSERT_TRUE(
      wait_until([&] { return entries(kConfigApplied).size() > applied_before; }, 20s, 200ms))
      << log();
  EXPECT_EQ(field(entries(kConfigApplied).back(), "PRIORITY"), "6");
}

TEST_F(JournaldTest, JournalctlExplainsEventsWithTheCatalog) {
  build_catalog();
  start_daemon();
  ASSERT_TRUE(wait_for(kHealthChanged, "HEALTH", "failing")) << log();
  ASSERT_TRUE(wait_for(kOutcomeChanged, "OUTCOME", "ok")) << log();
  // The Subject with the event's own fields substituted, and the body's text.
  std::string health = explained(kHealthChanged);
  EXPECT_NE(health.find("Subject: health of origin changed from "), std::string::npos) << health;
  EXPECT_NE(health.find(" to failing\n"), std::string::npos) << health;
  EXPECT_NE(health.find("Defined-By: proxywatch"), std::string::npos) << health;
  EXPECT_NE(health.find("through proxy 127.0.0.1:" + std::to_string(proxy_->port())),
            std::string::npos)
      << health;
  std::string outcome = explained(kOutcomeChanged);
  EXPECT_NE(outcome.find("Subject: probe of origin ended ok (was proxy_denied)"), std::string::npos)
      << outcome;
}

// `--log-target journal` where no journald runs (a tmpfs over /run hides its socket, in a mount
// namespace of this test's own): the daemon logs to stderr, says so, and a failed start's error
// is not lost.
TEST(JournalFallbackTest, JournalTargetWithoutJournaldFallsBackToStderr) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for unshare -m";
  TempDir dir("pw-nojournal");
  auto yaml = dir.write_file("proxywatch.yaml", "interval: soon\n");
  auto run = run_process({"unshare", "-m", "sh", "-c",
                          "mount -t tmpfs tmpfs /run && exec \"$0\" daemon --config \"$1\" "
                          "--log-target journal",
                          PROXYWATCH_BINARY, yaml.string()},
                         {}, std::chrono::seconds(20));
  ASSERT_TRUE(run.exit_code.has_value());
  EXPECT_NE(*run.exit_code, 0);
  EXPECT_NE(run.err.find("journald is not reachable (/run/systemd/journal/socket is no socket); "
                         "logging to stderr instead"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("interval"), std::string::npos) << "the start's error: " << run.err;
}

}  // namespace
}  // namespace proxywatch::testing
