// The soak test: `proxywatch daemon` runs PROXYWATCH_SOAK_PROBES probes (default 3,000 for CI;
// docs/soak.md records a run of 100,000) at accelerated intervals against scripted proxies (a
// FakeProxy cycling through every misbehaviour of the check tests, an AuthProxy asking Digest
// with the right and then a wrong password) and a real squid, switching the proxy file between
// them and sending SIGHUPs in between. It asserts that RSS and open descriptors, taken with
// probing paused at the start and at the end, stay within stated bounds; that every counter
// adds up (outcomes against stalls and resets, and against the CONNECTs the fake proxy saw); and
// that no log line, state file or scrape holds the password. Throughout the counted part the
// listener is under load too (basic auth on, docs/soak.md): clients sending wrong passwords and
// scrapers of /metrics, the page and /status.json. Loopback only.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/output/web/basic_auth.h"
#include "tests/support/auth_proxy.h"
#include "tests/support/fake_proxy.h"
#include "tests/support/listener_load.h"
#include "tests/support/local_port.h"
#include "tests/support/process.h"
#include "tests/support/read_file.h"
#include "tests/support/scrape.h"
#include "tests/support/squid.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_origin.h"
#include "tests/support/wait.h"

// Whether this build runs under AddressSanitizer: g++ defines __SANITIZE_ADDRESS__, clang
// answers __has_feature(address_sanitizer).
#if defined(__SANITIZE_ADDRESS__)
#define PROXYWATCH_SOAK_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PROXYWATCH_SOAK_UNDER_ASAN 1
#endif
#endif
#ifndef PROXYWATCH_SOAK_UNDER_ASAN
#define PROXYWATCH_SOAK_UNDER_ASAN 0
#endif

namespace proxywatch {
namespace {

using namespace std::chrono_literals;
using Behavior = testing::FakeProxy::Behavior;
namespace fs = std::filesystem;

// A password with every character class the FMC GUI allows, ';' and a space included.
constexpr std::string_view kPassword = "Soak;Pw 99#\"x";
constexpr std::string_view kUser = "soakuser";
constexpr int kTargets = 24;
// The listener's user (web.yml) and the load's Authorization values: base64 of
// "prometheus:soak-web" and of "prometheus:not-it".
constexpr const char* kSoakWebRight = "Basic cHJvbWV0aGV1czpzb2FrLXdlYg==";
constexpr const char* kSoakWebWrong = "Basic cHJvbWV0aGV1czpub3QtaXQ=";
// RSS may grow by this much over the run (allocator caches, TLS session state); more is a leak.
constexpr long kRssBoundKib = 8 * 1024;
// Descriptors at rest may differ by this many (the journal or a lazily opened file); more leaks.
constexpr long kFdBound = 2;

long probes_wanted() {
  const char* value = std::getenv("PROXYWATCH_SOAK_PROBES");
  long n = value ? std::atol(value) : 0;
  return n > 0 ? n : 3'000;
}

struct ProcessFigures {
  long rss_kib = 0;
  long fds = 0;
};

ProcessFigures figures(pid_t pid) {
  ProcessFigures out;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmRSS:")) out.rss_kib = std::atol(line.c_str() + 6);
  }
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    (void)entry;
    ++out.fds;
  }
  return out;
}

struct Totals {
  double probes = 0;
  double stall_outcomes = 0;
  double stalls = 0;
  double resets = 0;
  double failures = 0;
  std::map<std::string, double> by_outcome;
};

double value_of(const std::string& line) {
  return std::stod(line.substr(line.rfind(' ') + 1));
}

std::string label(const std::string& line, const std::string& name) {
  auto at = line.find(name + "=\"");
  if (at == std::string::npos) return "";
  at += name.size() + 2;
  return line.substr(at, line.find('"', at) - at);
}

// Sums of one scrape over the series of `proxy` ("127.0.0.1:port").
Totals totals(const std::string& text, const std::string& proxy) {
  Totals t;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (label(line, "proxy") != proxy) continue;
    if (line.starts_with("proxywatch_probes_total{")) {
      double v = value_of(line);
      std::string outcome = label(line, "outcome");
      t.probes += v;
      t.by_outcome[outcome] += v;
      if (outcome != "ok") t.failures += v;
      if (outcome == "tcp_timeout" || outcome == "proxy_stalled" || outcome == "tls_stalled" ||
          outcome == "http_stalled") {
        t.stall_outcomes += v;
      }
    } else if (line.starts_with("proxywatch_stalls_total{")) {
      t.stalls += value_of(line);
    } else if (line.starts_with("proxywatch_resets_total{")) {
      t.resets += value_of(line);
    }
  }
  return t;
}

class SoakTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_file_ = testing::shared_pki().ca.cert_file.string();
    origin_ = std::make_unique<testing::TlsOrigin>();
    fake_ = std::make_unique<testing::FakeProxy>(testing::FakeProxy::Options{
        .upstream_port = origin_->port(),
        .status_line = "HTTP/1.1 503 Service Unavailable",
        .cycle = {Behavior::kRelay, Behavior::kRelay, Behavior::kStatus, Behavior::kNeverAnswer,
                  Behavior::kRelay, Behavior::kOkThenSilent, Behavior::kResetAfterConnect,
                  Behavior::kRelay, Behavior::kResetOnClientHello, Behavior::kGarbageStatus,
                  Behavior::kCloseBeforeAnswer}});
    auth_ = std::make_unique<testing::AuthProxy>(
        testing::AuthProxy::Options{.user = std::string(kUser),
                                    .password = std::string(kPassword),
                                    .upstream_port = origin_->port()});
    squid_ = std::make_unique<testing::Squid>(testing::Squid::Options{
        .hosts = {{"origin.test", "127.0.0.1"}, {"blocked.test", "127.0.0.1"}},
        .denied_domains = {"blocked.test"}});
    metrics_port_ = testing::pick_free_port();
    dir_.write_file("web.yml",
                    "basic_auth_users:\n  prometheus: " + bcrypt_hash("soak-web", 10) + "\n");
    write_yaml("info");
  }

  // Targets cycle through the origin's routes: a HEAD, whole, cut and silent downloads, an
  // error status, and (through squid) a destination its ACL denies.
  void write_yaml(const std::string& log_level) {
    static const char* kRequests[] = {"HEAD /",          "GET /bytes/20000",
                                      "GET /cut/20000",  "GET /silent/20000",
                                      "GET /status/503", "HEAD /"};
    std::string port = std::to_string(origin_->port());
    std::string targets;
    for (int i = 0; i < kTargets; ++i) {
      bool denied = i % 8 == 7;
      targets += "  - {name: t" + std::to_string(i) +
                 ", host: " + (denied ? "blocked.test" : "origin.test") + ", port: " + port +
                 ", ca_file: " + ca_file_ +
                 (denied ? "" : ", request: " + std::string(kRequests[i % 6])) + "}\n";
    }
    dir_.write_file("proxywatch.yaml",
                    "proxy_file: " + (dir_.path() / "iprep_proxy.conf").string() +
                        "\nmetrics_listen: 127.0.0.1:" + std::to_string(metrics_port_) +
                        "\ninterval: 100ms\njitter: 0s\nlog_level: " + log_level +
                        "\nstate_dir: " + dir_.path().string() +
                        "\nweb_config_file: " + (dir_.path() / "web.yml").string() +
                        "\ntimeouts: {proxy_connect: 300ms, tls_handshake: 500ms, "
                        "http_first_byte: 500ms, transfer: 1s, stall: 200ms}\n"
                        "mtu_probe: {enabled: false}\nmax_concurrent_probes: 64\n"
                        // The largest set: every series code path runs, and stalls_total is there
                        // to be added up against the stall outcomes.
                        "metrics: {series: full, histograms: true}\ntargets:\n" +
                        targets);
  }

  // The FMC's way: a temporary file renamed over the old one.
  void write_proxy(std::uint16_t port, bool credentials, std::string_view password) {
    std::string text =
        "iprep_proxy {\n  PROXY_HOST 127.0.0.1;\n  PROXY_PORT " + std::to_string(port) + ";\n";
    if (credentials) {
      text += "  PROXY_USERNAME " + std::string(kUser) + ";\n  PROXY_PASSWORD " +
              std::string(password) + ";\n";
    }
    dir_.write_file("iprep_proxy.conf.tmp", text + "}\n");
    fs::rename(dir_.path() / "iprep_proxy.conf.tmp", dir_.path() / "iprep_proxy.conf");
  }

  void remove_proxy() { fs::remove(dir_.path() / "iprep_proxy.conf"); }

  std::string scrape() { return testing::http_get(metrics_port_, "/metrics", kSoakWebRight); }

  // Waits until probing has stopped (no proxy), then for the longest probe deadline (a probe
  // in flight ends within its phases' deadlines, under 3 s here) and a steady descriptor count.
  ProcessFigures at_rest() {
    remove_proxy();
    EXPECT_TRUE(testing::wait_until(
        [&] { return testing::metric(scrape(), "proxywatch_proxy_configured") == 0; }, 10s));
    auto quiet_from = std::chrono::steady_clock::now() + 3s;
    ProcessFigures last = figures(daemon_->pid());
    int steady = 0;
    testing::wait_until(
        [&] {
          ProcessFigures now = figures(daemon_->pid());
          steady = now.fds == last.fds ? steady + 1 : 0;
          last = now;
          return std::chrono::steady_clock::now() > quiet_from && steady >= 3;
        },
        20s, 250ms);
    return last;
  }

  // What the daemon's descriptors point at, for a failure message.
  std::string fd_list() {
    std::string out;
    std::error_code ec;
    for (const auto& e :
         fs::directory_iterator("/proc/" + std::to_string(daemon_->pid()) + "/fd", ec)) {
      out += e.path().filename().string() + " -> " + fs::read_symlink(e.path(), ec).string() + "\n";
    }
    return out;
  }

  testing::TempDir dir_{"pw-soak"};
  std::string ca_file_;
  std::unique_ptr<testing::TlsOrigin> origin_;
  std::unique_ptr<testing::FakeProxy> fake_;
  std::unique_ptr<testing::AuthProxy> auth_;
  std::unique_ptr<testing::Squid> squid_;
  std::uint16_t metrics_port_ = 0;
  std::unique_ptr<testing::ChildProcess> daemon_;
};

TEST_F(SoakTest, ProbesRunFlatAndAddUpWithoutLeakingThePassword) {
  const long wanted = probes_wanted();
  daemon_ = std::make_unique<testing::ChildProcess>(
      std::vector<std::string>{PROXYWATCH_BINARY, "daemon", "--config",
                               (dir_.path() / "proxywatch.yaml").string(), "--log-target",
                               "stderr"},
      dir_.path() / "daemon.log");
  ASSERT_TRUE(testing::wait_until([&] { return !scrape().empty(); }, 10s)) << daemon_->log();

  // Warm up through every proxy once, so that start and end are both measured warm.
  struct Segment {
    std::uint16_t port;
    bool credentials;
    std::string password;
    bool fake;
  };
  const std::vector<Segment> cycle = {
      {fake_->port(), false, "", true},
      {auth_->port(), true, std::string(kPassword), false},
      {squid_->port(), false, "", false},
      {auth_->port(), true, "wrong;" + std::string(kPassword), false}};
  const long per_segment = std::max<long>(wanted / 40, 50);
  double counted = 0, fake_counted = 0;
  std::size_t fake_connects = 0;
  int fake_segments = 0;
  auto run_segment = [&](const Segment& s, long probes) {
    std::size_t connects_before = fake_->requests().size();
    const std::string proxy = "127.0.0.1:" + std::to_string(s.port);
    // Series of a proxy used before may still be there: count from where they stand.
    const Totals base = totals(scrape(), proxy);
    write_proxy(s.port, s.credentials, s.password);
    Totals t;
    bool reached = testing::wait_until(
        [&] {
          Totals now = totals(scrape(), proxy);
          t.probes = now.probes - base.probes;
          t.stalls = now.stalls - base.stalls;
          t.stall_outcomes = now.stall_outcomes - base.stall_outcomes;
          t.resets = now.resets - base.resets;
          t.failures = now.failures - base.failures;
          // The listener renders /metrics on its own thread, so one scrape may catch a probe
          // half-recorded (its outcome counted, its stall not yet): wait for a whole one. A
          // counter that really does not add up never gets there and fails below.
          return t.probes >= static_cast<double>(probes) && t.stalls == t.stall_outcomes &&
                 t.resets <= t.failures;
        },
        std::chrono::milliseconds(60'000 + probes * 50), 100ms);
    EXPECT_TRUE(reached) << "only " << t.probes << " of " << probes << " probes\n"
                         << daemon_->log().substr(0, 4000);
    // Every counter adds up within the segment's series.
    EXPECT_EQ(t.stalls, t.stall_outcomes);
    EXPECT_LE(t.resets, t.failures);
    counted += t.probes;
    remove_proxy();
    if (s.fake) {
      // Stop probing before counting the proxy's CONNECTs: each probe sent exactly one.
      testing::wait_until(
          [&] { return testing::metric(scrape(), "proxywatch_proxy_configured") == 0; }, 10s);
      fake_counted += t.probes;
      ++fake_segments;
      fake_connects += fake_->requests().size() - connects_before;
    }
    return t;
  };
  for (const Segment& s : cycle) run_segment(s, per_segment);
  ProcessFigures start = at_rest();
  auto started = std::chrono::steady_clock::now();
  // The listener under load while the probes run: wrong passwords from two addresses (throttled
  // after ten each), and scrapers of the metrics, the page and the status document.
  testing::ListenerLoad load(metrics_port_);
  load.add(4, "127.0.0.2", kSoakWebWrong);
  load.add(4, "127.0.0.3", kSoakWebWrong);
  load.add(4, "127.0.0.4", kSoakWebRight, {"/metrics", "/", "/status.json"});
  int sighups = 0;
  // Each segment counts up to per_segment probes; a segment that counts fewer (its wait timed
  // out) is reported by the EXPECTs above, and the bound ends the run rather than looping on.
  const auto max_segments = static_cast<std::size_t>(2 * (wanted / per_segment + 1));
  for (std::size_t i = 0; i < max_segments && counted < static_cast<double>(wanted); ++i) {
    run_segment(cycle[i % cycle.size()], std::min<long>(per_segment, wanted - long(counted)));
    if (i % 3 == 2) {
      write_yaml(sighups % 2 ? "info" : "debug");
      ::kill(daemon_->pid(), SIGHUP);
      ++sighups;
    }
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  load.stop();
  const testing::ListenerLoad::Seen seen = load.seen();
  ProcessFigures end = at_rest();
  ASSERT_TRUE(daemon_->running()) << daemon_->log().substr(0, 4000);

  std::printf(
      "soak: %.0f probes (%.0f through the fake proxy, which saw %zu CONNECTs) in %.0f s "
      "with %d SIGHUPs; RSS %ld -> %ld KiB, fds %ld -> %ld; listener: %zu answered 200, %zu "
      "401, %zu 429, %zu 503\n",
      counted, fake_counted, fake_connects, seconds, sighups, start.rss_kib, end.rss_kib, start.fds,
      end.fds, seen.statuses.count(200) ? seen.statuses.at(200) : 0,
      seen.statuses.count(401) ? seen.statuses.at(401) : 0,
      seen.statuses.count(429) ? seen.statuses.at(429) : 0,
      seen.statuses.count(503) ? seen.statuses.at(503) : 0);
  EXPECT_GT(seen.statuses.count(200), 0u) << "the scrapers were answered";
  EXPECT_GT(seen.statuses.count(429), 0u) << "the wrong passwords were throttled";
  EXPECT_GE(counted, static_cast<double>(wanted));
  // The fake proxy's CONNECTs: one per counted probe, plus at most the probes in flight or
  // finished after the last scrape of each segment (kTargets each).
  EXPECT_GE(double(fake_connects), fake_counted);
  EXPECT_LE(double(fake_connects), fake_counted + 2.0 * kTargets * fake_segments);
#if PROXYWATCH_SOAK_UNDER_ASAN
  // AddressSanitizer holds freed memory in its quarantine (256 MiB by default), so RSS says
  // nothing about leaks there; LeakSanitizer checks the daemon at its exit instead.
  (void)kRssBoundKib;
#else
  EXPECT_LE(end.rss_kib, start.rss_kib + kRssBoundKib);
#endif
  EXPECT_LE(end.fds, start.fds + kFdBound) << fd_list();

  std::string log = daemon_->log();
  EXPECT_EQ(log.find(kPassword), std::string::npos);
  EXPECT_EQ(log.find("Pw 99"), std::string::npos);
  std::string state_text = testing::read_file_or_empty(dir_.path() / "history.db") +
                           testing::read_file_or_empty(dir_.path() / "history.db-wal");
  EXPECT_EQ(state_text.find("Pw 99"), std::string::npos);
  EXPECT_EQ(scrape().find("Pw 99"), std::string::npos);
}

}  // namespace
}  // namespace proxywatch
