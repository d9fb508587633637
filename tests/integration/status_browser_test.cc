// The status page in a real browser: `proxywatch daemon` against a real squid (one target it
// tunnels, one its ACL denies) and against a scripted proxy whose answer carries markup, loaded
// from the daemon's listener by Debian's headless Chromium (--dump-dom: the DOM after the page
// ran). The test checks what a person would see — health words, the diagnosis with its advice,
// one bar per recent probe, the latency chart — that `proxywatch status` says the same with exit
// status 1, and that the proxy's markup shows as text. Chromium resolves no name
// (--host-resolver-rules) and talks to 127.0.0.1 only. With PROXYWATCH_SCREENSHOT=FILE set,
// the squid test also saves a screenshot there (how docs/status-page.png is made).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include "common/output/status/status_json.h"
#include "common/output/status/status_snapshot.h"
#include "tests/support/chromium.h"
#include "tests/support/fake_proxy.h"
#include "tests/support/local_port.h"
#include "tests/support/process.h"
#include "tests/support/scrape.h"
#include "tests/support/squid.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_origin.h"
#include "tests/support/wait.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

using testing::occurrences;

// The DOM's <section> of target `name`, or "".
std::string section(const std::string& dom, const std::string& name) {
  auto start = dom.find("<section class=\"");
  for (; start != std::string::npos; start = dom.find("<section class=\"", start + 1)) {
    auto end = dom.find("</section>", start);
    std::string s = dom.substr(start, end - start);
    if (s.find("data-target=\"" + name + "\"") != std::string::npos) return s;
  }
  return "";
}

class StatusBrowserTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ca_file_ = testing::shared_pki().ca.cert_file.string();
    origin_ = std::make_unique<testing::TlsOrigin>();
  }
  static void TearDownTestSuite() { origin_.reset(); }

  void start_daemon(std::uint16_t proxy_port, const std::string& targets) {
    dir_.write_file("iprep_proxy.conf", "iprep_proxy {\n  PROXY_HOST 127.0.0.1;\n  PROXY_PORT " +
                                            std::to_string(proxy_port) + ";\n}\n");
    port_ = testing::pick_free_port();
    yaml_ = dir_.write_file(
        "proxywatch.yaml",
        "proxy_file: " + (dir_.path() / "iprep_proxy.conf").string() +
            "\nmetrics_listen: 127.0.0.1:" + std::to_string(port_) +
            "\ninterval: 300ms\njitter: 0s\nstate_dir: " + dir_.path().string() +
            "\nmtu_probe: {enabled: false}\ntimeouts: {proxy_connect: 2s, tls_handshake: 2s}\n"
            "targets:\n" +
            targets);
    daemon_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{PROXYWATCH_BINARY, "daemon", "--config", yaml_.string(),
                                 "--log-target", "stderr"},
        dir_.path() / "daemon.log");
    ASSERT_TRUE(testing::wait_until([&] { return !status_json().empty(); }, 10s)) << daemon_->log();
  }

  std::string status_json() { return testing::http_get(port_, "/status.json"); }

  // Waits until `pred` holds for the daemon's snapshot.
  bool wait_for(const std::function<bool(const StatusSnapshot&)>& pred) {
    return testing::wait_until(
        [&] {
          auto s = status_from_json(status_json());
          return s && pred(*s);
        },
        20s);
  }

  // Chromium, headless, on `url` with `flags`; its stdout. Fails the test when it cannot run.
  std::string chromium(std::vector<std::string> flags, const std::string& url) {
    auto run = testing::run_chromium(dir_.path(), flags, url);
    EXPECT_EQ(run.exit_code, 0) << "chromium (scripts/install-deps.sh installs it): "
                                << testing::tail(run.err);
    EXPECT_FALSE(run.timed_out);
    if (flags.front() == "--dump-dom") {
      EXPECT_FALSE(run.out.empty()) << testing::tail(run.err);
    }
    return run.out;
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

  static inline std::unique_ptr<testing::TlsOrigin> origin_;
  static inline std::string ca_file_;
  testing::TempDir dir_{"pw-browser"};
  std::uint16_t port_ = 0;
  fs::path yaml_;
  std::unique_ptr<testing::ChildProcess> daemon_;
};

TEST_F(StatusBrowserTest, SquidWithOneHealthyAndOneDeniedTargetInChromium) {
  testing::Squid squid({.hosts = {{"origin.test", "127.0.0.1"}, {"blocked.test", "127.0.0.1"}},
                        .denied_domains = {"blocked.test"}});
  std::string port = std::to_string(origin_->port());
  start_daemon(squid.port(), "  - {name: origin, host: origin.test, port: " + port +
                                 ", ca_file: " + ca_file_ + ", request: GET /}\n" +
                                 "  - {name: blocked, host: blocked.test, port: " + port + "}\n");
  // Enough probes for a full timeline and a chart with a spread.
  ASSERT_TRUE(wait_for([](const StatusSnapshot& s) {
    return s.targets.size() == 2 && s.targets[0].health == HealthState::kHealthy &&
           s.targets[0].probes.size() >= kTimelineProbes + 2 &&
           s.targets[1].health == HealthState::kFailing && !s.targets[1].diagnoses.empty() &&
           s.targets[1].probes.size() >= kTimelineProbes;
  })) << status_json()
      << daemon_->log();

  // The operator's shell: the same verdict as text, exit status 1 (one target is not healthy).
  auto cli = testing::run_process({PROXYWATCH_BINARY, "status", "--config", yaml_.string()});
  EXPECT_EQ(cli.exit_code, 1) << cli.err;
  EXPECT_NE(cli.out.find("\norigin (origin.test:" + port + "; custom targets): healthy for "),
            std::string::npos)
      << cli.out;
  EXPECT_NE(cli.out.find("\nblocked (blocked.test:" + port + "; custom targets): failing for "),
            std::string::npos);
  // The feature at risk, above the targets.
  EXPECT_NE(
      cli.out.find("\n  custom targets: failing — proxy_denied on blocked.test:" + port + "\n"),
      std::string::npos)
      << cli.out;
  EXPECT_NE(cli.out.find("  diagnosis acl_block for "), std::string::npos) << cli.out;

  std::string dom = chromium({"--dump-dom"}, url());
  std::string origin = section(dom, "origin");
  std::string blocked = section(dom, "blocked");
  ASSERT_FALSE(origin.empty()) << dom;
  ASSERT_FALSE(blocked.empty()) << dom;
  EXPECT_NE(origin.find("<span class=\"badge healthy\">healthy</span>"), std::string::npos);
  EXPECT_NE(blocked.find("<span class=\"badge failing\">failing</span>"), std::string::npos);
  EXPECT_NE(blocked.find("data-diagnosis=\"acl_block\""), std::string::npos) << blocked;
  EXPECT_NE(blocked.find("<b>Check next:</b> the proxy's ACL"), std::string::npos) << blocked;
  EXPECT_NE(blocked.find("ERR_ACCESS_DENIED"), std::string::npos) << blocked;
  // One bar per probe of the timeline, each failed one marked with its outcome.
  EXPECT_NE(origin.find("<h3>Last 10 probes</h3>"), std::string::npos);
  EXPECT_EQ(occurrences(origin, "<g class=\"bar\" data-outcome=\"ok\">"), kTimelineProbes);
  EXPECT_EQ(occurrences(blocked, "<g class=\"bar fail\" data-outcome=\"proxy_denied\">"),
            kTimelineProbes);
  EXPECT_EQ(occurrences(blocked, "proxy_denied in proxy_connect</text>"), kTimelineProbes);
  // The chart: smoke and a median line for the healthy target; failure ticks for the other.
  EXPECT_NE(origin.find("<svg class=\"chart\""), std::string::npos);
  EXPECT_NE(origin.find("<path class=\"smoke\""), std::string::npos);
  EXPECT_NE(origin.find("<polyline class=\"med f0\""), std::string::npos);
  EXPECT_NE(blocked.find("<svg class=\"chart\""), std::string::npos);
  EXPECT_GE(occurrences(blocked, "<rect class=\"mark\""), kTimelineProbes);

  std::string shot = (dir_.path() / "status-page.png").string();
  if (const char* wanted = std::getenv("PROXYWATCH_SCREENSHOT")) shot = wanted;
  chromium({"--screenshot=" + shot, "--window-size=1000,1640", "--hide-scrollbars"}, url());
  std::ifstream png(shot, std::ios::binary);
  std::string magic(8, '\0');
  png.read(magic.data(), 8);
  EXPECT_EQ(magic, "\x89PNG\r\n\x1a\n");
  EXPECT_GT(fs::file_size(shot), 20'000u);
}

// What the proxy sends — reason phrase, Server header, Proxy-Authenticate — reaches the page
// as text: no element of it exists in the DOM and the page's script is the only one that ran.
TEST_F(StatusBrowserTest, MarkupFromAScriptedProxyRendersAsText) {
  testing::FakeProxy proxy({.behavior = testing::FakeProxy::Behavior::kStatus,
                            .status_line = "HTTP/1.1 407 <script>document.title='pwned'</script>",
                            .extra_headers = {"Proxy-Authenticate: <img src=x onerror=alert(1)>",
                                              "Server: <b id=injected>squid</b>"}});
  start_daemon(proxy.port(), "  - {name: origin, host: origin.test, port: " +
                                 std::to_string(origin_->port()) + "}\n");
  ASSERT_TRUE(wait_for([](const StatusSnapshot& s) {
    return !s.targets.empty() && s.targets[0].health == HealthState::kFailing;
  })) << status_json()
      << daemon_->log();
  std::string dom = chromium({"--dump-dom"}, url());
  std::string origin = section(dom, "origin");
  ASSERT_FALSE(origin.empty()) << dom;
  EXPECT_NE(origin.find("&lt;script&gt;document.title='pwned'&lt;/script&gt;"), std::string::npos)
      << origin;
  EXPECT_NE(origin.find("&lt;b id=injected&gt;squid&lt;/b&gt;"), std::string::npos) << origin;
  EXPECT_EQ(dom.find("<b id=\"injected\">"), std::string::npos);
  EXPECT_EQ(dom.find("<img"), std::string::npos);
  EXPECT_EQ(occurrences(dom, "<script"), 1u) << dom;
  EXPECT_NE(dom.find("<title>proxywatch: 127.0.0.1:" + std::to_string(proxy.port()) + "</title>"),
            std::string::npos)
      << dom;
}

}  // namespace
}  // namespace proxywatch
