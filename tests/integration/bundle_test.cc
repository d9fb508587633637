// `proxywatch bundle` as a process: taken from a running daemon (its /status.json and /metrics)
// and, once it is stopped, from the state it left on disk (written to standard output with
// `-o -`); each archive extracted with tar and checked for its files, its masked proxy file and
// masked.txt, and for the password — plain, base64, base64 of user:password — in no byte of any
// file. The daemon probes a scripted proxy that demands Basic authentication, so the password
// crosses the wire in every probe and in the bundle's fresh checks. Refusals come first: an
// existing output file, a YAML file that is not there.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "common/probe/proxy_auth.h"
#include "tests/support/auth_proxy.h"
#include "tests/support/local_port.h"
#include "tests/support/process.h"
#include "tests/support/read_file.h"
#include "tests/support/scrape.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_origin.h"
#include "tests/support/wait.h"

namespace proxywatch {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Special characters, a ';' and a '#' among them: the proxy file's value runs to the last ';'.
const std::string kBundleTestPassword = R"(Bundle;S3cret #"pw")";

std::vector<std::string> bundle_test_secrets() {
  std::string basic = basic_authorization({"alice", kBundleTestPassword});
  return {kBundleTestPassword, basic.substr(basic.find(' ') + 1), "S3cret"};
}

// Extracts `archive` into `into`; returns the members in archive order.
std::vector<std::string> bundle_test_extract(const fs::path& archive, const fs::path& into) {
  fs::create_directories(into);
  auto listed = testing::run_process({"tar", "-tzf", archive.string()});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  auto extracted = testing::run_process({"tar", "-xzf", archive.string(), "-C", into.string()});
  EXPECT_EQ(extracted.exit_code, 0) << extracted.err;
  std::vector<std::string> members;
  std::size_t start = 0;
  for (std::size_t end; (end = listed.out.find('\n', start)) != std::string::npos;
       start = end + 1) {
    members.push_back(listed.out.substr(start, end - start));
  }
  return members;
}

// No secret in any byte of any file under `dir`.
void bundle_test_expect_no_secret(const fs::path& dir) {
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::string bytes = testing::read_file(entry.path());
    for (const std::string& secret : bundle_test_secrets()) {
      EXPECT_EQ(bytes.find(secret), std::string::npos)
          << "a secret is in " << entry.path().filename() << " (" << secret.size() << " bytes)";
    }
  }
}

bool bundle_test_has(const std::vector<std::string>& members, const std::string& name) {
  return std::find(members.begin(), members.end(), name) != members.end();
}

class BundleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { origin_ = std::make_unique<testing::TlsOrigin>(); }
  static void TearDownTestSuite() { origin_.reset(); }

  void write_config() {
    proxy_ = std::make_unique<testing::AuthProxy>(
        testing::AuthProxy::Options{.scheme = "Basic",
                                    .user = "alice",
                                    .password = kBundleTestPassword,
                                    .upstream_port = origin_->port()});
    dir_.write_file("iprep_proxy.conf", "iprep_proxy {\n  PROXY_HOST 127.0.0.1;\n  PROXY_PORT " +
                                            std::to_string(proxy_->port()) +
                                            ";\n  PROXY_USER alice;\n  PROXY_PASSWORD " +
                                            kBundleTestPassword + ";\n}\n");
    metrics_port_ = testing::pick_free_port();
    yaml_ = dir_.write_file(
        "proxywatch.yaml",
        "proxy_file: " + (dir_.path() / "iprep_proxy.conf").string() +
            "\nmetrics_listen: 127.0.0.1:" + std::to_string(metrics_port_) +
            "\ninterval: 300ms\njitter: 0s\nstate_dir: " + (dir_.path() / "state").string() +
            "\ntimeouts: {proxy_connect: 1s, tls_handshake: 1s, transfer: 1s}\n"
            "mtu_probe: {enabled: false}\ntargets:\n  - {name: origin, host: origin.test, port: " +
            std::to_string(origin_->port()) +
            ", ca_file: " + testing::shared_pki().ca.cert_file.string() + ", request: HEAD /}\n");
    fs::create_directories(dir_.path() / "state" / "captures");
    // A capture as a careless writer might have left it: the safety net must mask it.
    std::ofstream(dir_.path() / "state" / "captures" / "old.pcap")
        << std::string("\xd4\xc3\xb2\xa1", 4) << "Proxy-Authorization: Basic "
        << bundle_test_secrets()[1] << "\r\n";
  }

  testing::ProcessResult bundle(const std::string& output) {
    return testing::run_process(
        {PROXYWATCH_BINARY, "bundle", "--config", yaml_.string(), "-o", output}, {}, 30s);
  }

  static inline std::unique_ptr<testing::TlsOrigin> origin_;
  testing::TempDir dir_{"pw-bundle"};
  std::unique_ptr<testing::AuthProxy> proxy_;
  fs::path yaml_;
  std::uint16_t metrics_port_ = 0;
};

TEST_F(BundleTest, RefusesAnExistingOrUnwritableOutputAndAMissingConfiguration) {
  write_config();
  auto existing = dir_.write_file("taken.tar.gz", "mine");
  auto run = bundle(existing.string());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("already exists"), std::string::npos) << run.err;
  EXPECT_EQ(dir_.read_file("taken.tar.gz"), "mine");
  auto unwritable = bundle((dir_.path() / "no-such-dir" / "b.tar.gz").string());
  EXPECT_EQ(unwritable.exit_code, 1);
  EXPECT_NE(unwritable.err.find("cannot create"), std::string::npos) << unwritable.err;
  auto missing = testing::run_process({PROXYWATCH_BINARY, "bundle", "--config",
                                       (dir_.path() / "none.yaml").string(), "-o",
                                       (dir_.path() / "b.tar.gz").string()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("none.yaml"), std::string::npos) << missing.err;
  EXPECT_FALSE(fs::exists(dir_.path() / "b.tar.gz"));
}

TEST_F(BundleTest, FromARunningDaemonThenFromItsStateOnDiskWithoutASecret) {
  write_config();
  auto daemon = std::make_unique<testing::ChildProcess>(
      std::vector<std::string>{PROXYWATCH_BINARY, "daemon", "--config", yaml_.string(),
                               "--log-target", "stderr"},
      dir_.path() / "daemon.log");
  ASSERT_TRUE(testing::wait_until(
      [&] {
        auto text = testing::http_get(metrics_port_, "/metrics");
        return testing::metric(text, "proxywatch_probe_success").value_or(0) == 1;
      },
      10s))
      << daemon->log();

  auto running = bundle((dir_.path() / "running.tar.gz").string());
  ASSERT_EQ(running.exit_code, 0) << running.err;
  EXPECT_EQ(fs::status(dir_.path() / "running.tar.gz").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  auto members = bundle_test_extract(dir_.path() / "running.tar.gz", dir_.path() / "running");
  ASSERT_FALSE(members.empty());
  EXPECT_EQ(members[0], "README.txt");
  for (const char* name : {"masked.txt", "version.txt", "system.txt", "network/interfaces.txt",
                           "network/routes.txt", "config/proxywatch.yaml",
                           "config/iprep_proxy.conf", "daemon/status.json", "daemon/metrics.txt",
                           "history/failures-7d.txt", "captures/old.pcap", "checks/origin.txt"}) {
    EXPECT_TRUE(bundle_test_has(members, name)) << name << "\n" << running.err;
  }
  const fs::path got = dir_.path() / "running";
  EXPECT_NE(testing::read_file(got / "config/iprep_proxy.conf").find("PROXY_PASSWORD <masked>;"),
            std::string::npos);
  std::string masked = testing::read_file(got / "masked.txt");
  EXPECT_NE(masked.find("config/iprep_proxy.conf:5: key PROXY_PASSWORD"), std::string::npos)
      << masked;
  EXPECT_NE(masked.find("captures/old.pcap: 1 time the base64 of user:password"), std::string::npos)
      << masked;
  EXPECT_NE(testing::read_file(got / "daemon/status.json").find("\"origin\""), std::string::npos);
  EXPECT_NE(testing::read_file(got / "checks/origin.txt").find("mtu verdict"), std::string::npos)
      << testing::read_file(got / "checks/origin.txt");
  EXPECT_NE(testing::read_file(got / "README.txt").find("checks/origin.txt"), std::string::npos);
  bundle_test_expect_no_secret(got);

  daemon->terminate();
  auto stopped = bundle("-");
  ASSERT_EQ(stopped.exit_code, 0) << stopped.err;
  std::ofstream(dir_.path() / "stopped.tar.gz") << stopped.out;
  members = bundle_test_extract(dir_.path() / "stopped.tar.gz", dir_.path() / "stopped");
  EXPECT_TRUE(bundle_test_has(members, "daemon/state-on-disk.json"));
  EXPECT_FALSE(bundle_test_has(members, "daemon/status.json"));
  std::string state = testing::read_file(dir_.path() / "stopped/daemon/state-on-disk.json");
  EXPECT_NE(state.find("\"origin\""), std::string::npos) << state;
  EXPECT_NE(testing::read_file(dir_.path() / "stopped/README.txt").find("not read from the daemon"),
            std::string::npos);
  bundle_test_expect_no_secret(dir_.path() / "stopped");
  for (const std::string& secret : bundle_test_secrets()) {
    EXPECT_EQ((running.err + stopped.err).find(secret), std::string::npos);
  }
}

}  // namespace
}  // namespace proxywatch
