// The daemon's listener behind the web configuration file (web_config_file: exporter-toolkit's
// format): a TLS scrape with the right password works — by curl and by a real Prometheus with
// `scheme: https` and `basic_auth` —, a wrong or missing password gets 401, plain HTTP gets no
// answer, and a broken web configuration stops the start with a message naming the problem.
// Once running, an edit applies without a restart (a broken one is rejected once, in the log
// and proxywatch_config_valid{file="web"}; SIGHUP re-reads at once), and `proxywatch status`
// reaches a listener with mutual TLS and basic auth.
// The bcrypt hash is made by Apache's htpasswd, the certificate by a CA made at test time.
// Loopback only; no proxy is configured (the listener is what is tested).
#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>
#include <memory>

#include "tests/support/chromium.h"
#include "tests/support/local_port.h"
#include "tests/support/process.h"
#include "tests/support/prometheus.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"
#include "tests/support/wait.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;

constexpr const char* kUser = "prometheus";
constexpr const char* kPassword = "s3cret: with spaces";

class WebListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The shared PKI's listener certificate, copied beside the web configuration: its paths
    // are relative to it, and one case names the CA's key by a relative path too.
    const testing::SharedPki& pki = testing::shared_pki();
    ca_ = pki.ca;
    std::filesystem::copy_file(pki.localhost.cert_file, dir_.path() / "web.pem");
    std::filesystem::copy_file(pki.localhost.key_file, dir_.path() / "web.key");
    std::filesystem::copy_file(pki.ca.key_file, dir_.path() / "ca.key");
    const auto htpasswd =
        testing::run_process({"htpasswd", "-nbB", "-C", "5", kUser, kPassword}, {}, 20s);
    ASSERT_EQ(htpasswd.exit_code, 0) << htpasswd.err;
    hash_ = htpasswd.out.substr(htpasswd.out.find(':') + 1);
    hash_ = hash_.substr(0, hash_.find_first_of("\r\n"));
    port_ = testing::pick_free_port();
  }

  // Writes the web configuration and the daemon's YAML pointing at it.
  void write_config(const std::string& web_yml) {
    dir_.write_file("web.yml", web_yml);
    yaml_ = dir_.write_file("proxywatch.yaml",
                            "proxy_file: " + (dir_.path() / "absent.conf").string() +
                                "\nmetrics_listen: 127.0.0.1:" + std::to_string(port_) +
                                "\nstate_dir: " + dir_.path().string() +
                                "\nweb_config_file: " + (dir_.path() / "web.yml").string() + "\n");
  }

  std::string good_web_config() const {
    // Relative paths: resolved against the web configuration's own directory.
    return "tls_server_config:\n  cert_file: web.pem\n  key_file: web.key\n"
           "basic_auth_users:\n  " +
           std::string(kUser) + ": " + hash_ + "\n";
  }

  // The same with mutual TLS: client certificates of the test CA required.
  std::string mtls_web_config() const {
    return "tls_server_config:\n  cert_file: web.pem\n  key_file: web.key\n"
           "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: " +
           ca_.cert_file.string() + "\nbasic_auth_users:\n  " + std::string(kUser) + ": " + hash_ +
           "\n";
  }

  void start_daemon() {
    daemon_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{PROXYWATCH_BINARY, "daemon", "--config", yaml_.string(),
                                 "--log-target", "stderr"},
        dir_.path() / "daemon.log");
    ASSERT_TRUE(testing::wait_until(
        [&] { return daemon_->log().find("serving metrics on https://") != std::string::npos; },
        10s))
        << daemon_->log();
  }

  // curl's answer: the HTTP status it printed last (000 when there was no HTTP answer).
  testing::ProcessResult curl(std::vector<std::string> extra) const {
    std::vector<std::string> argv = {"curl", "-sS",         "--max-time", "5",
                                     "-o",   "/dev/stdout", "-w",         "\n%{http_code}"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return testing::run_process(argv, {}, 15s);
  }
  std::string https_url() const {
    return "https://127.0.0.1:" + std::to_string(port_) + "/metrics";
  }
  static std::string status_of(const testing::ProcessResult& r) {
    return r.out.size() >= 3 ? r.out.substr(r.out.size() - 3) : "";
  }

  testing::TempDir dir_{"pw-webconfig"};
  testing::CertificateAuthority ca_;
  std::string hash_;
  std::uint16_t port_ = 0;
  std::filesystem::path yaml_;
  std::unique_ptr<testing::ChildProcess> daemon_;
};

TEST_F(WebListenerTest, TlsScrapeWithTheRightPasswordWorksOthersAreRefused) {
  write_config(good_web_config());
  start_daemon();
  const std::string ca = ca_.cert_file.string();
  const std::string right = std::string(kUser) + ":" + kPassword;

  const auto ok = curl({"--cacert", ca, "-u", right, https_url()});
  EXPECT_EQ(status_of(ok), "200") << ok.out << ok.err;
  EXPECT_NE(ok.out.find("proxywatch_build_info{"), std::string::npos) << ok.out;

  const auto wrong = curl({"--cacert", ca, "-u", std::string(kUser) + ":not-it", https_url()});
  EXPECT_EQ(status_of(wrong), "401") << wrong.out << wrong.err;
  EXPECT_EQ(wrong.out.find("proxywatch_build_info"), std::string::npos);
  const auto stranger = curl({"--cacert", ca, "-u", std::string("root:") + kPassword, https_url()});
  EXPECT_EQ(status_of(stranger), "401");
  const auto anonymous = curl({"--cacert", ca, "-D", "-", https_url()});
  EXPECT_EQ(status_of(anonymous), "401");
  EXPECT_NE(anonymous.out.find("WWW-Authenticate: Basic realm=\"proxywatch\""), std::string::npos)
      << anonymous.out;

  // Plain HTTP on the TLS port: no HTTP answer at all.
  const auto plain = curl({"-u", right, "http://127.0.0.1:" + std::to_string(port_) + "/metrics"});
  EXPECT_NE(plain.exit_code, 0);
  EXPECT_EQ(status_of(plain), "000") << plain.out;
  EXPECT_EQ(plain.out.find("proxywatch_build_info"), std::string::npos);

  // The daemon still serves after all that, and never logged the password.
  EXPECT_EQ(status_of(curl({"--cacert", ca, "-u", right, https_url()})), "200");
  EXPECT_EQ(daemon_->log().find("s3cret"), std::string::npos) << daemon_->log();
}

TEST_F(WebListenerTest, PrometheusScrapesOverTlsWithBasicAuth) {
  write_config(good_web_config());
  start_daemon();
  testing::Prometheus prometheus(testing::Prometheus::Options{
      .job_extra = "    scheme: https\n    tls_config:\n      ca_file: " + ca_.cert_file.string() +
                   "\n    basic_auth:\n      username: " + kUser + "\n      password: '" +
                   kPassword + "'\n"});
  prometheus.set_targets({{"fmc-a", port_}});
  EXPECT_TRUE(testing::wait_until(
      [&] {
        return !prometheus.query(R"(up{job="proxywatch",instance="fmc-a"} == 1)").result.empty() &&
               !prometheus.query(R"(proxywatch_build_info{instance="fmc-a"})").result.empty();
      },
      20s, 200ms))
      << prometheus.log();
}

TEST_F(WebListenerTest, EditsApplyWithoutARestartAndStatusSpeaksMutualTls) {
  const testing::LeafCertificate client = testing::make_client_leaf(ca_, dir_.path(), "client");
  write_config(mtls_web_config());
  start_daemon();
  const std::string ca = ca_.cert_file.string();
  const std::string right = std::string(kUser) + ":" + kPassword;

  // status, as an operator runs it on the appliance: the password from the environment.
  const auto status = testing::run_process(
      {PROXYWATCH_BINARY, "status", "--config", yaml_.string(), "--ca-file", ca, "--cert-file",
       client.cert_file.string(), "--key-file", client.key_file.string(), "--user", kUser},
      {{"PROXYWATCH_PASSWORD", kPassword}}, 15s);
  EXPECT_EQ(status.exit_code, 1) << status.out << status.err;  // no proxy: not healthy
  EXPECT_NE(status.out.find("no proxy"), std::string::npos) << status.out << status.err;
  EXPECT_EQ((status.out + status.err).find("s3cret"), std::string::npos);

  const std::vector<std::string> scrape_args = {
      "--cacert", ca,    "--cert",   client.cert_file.string(), "--key", client.key_file.string(),
      "-u",       right, https_url()};
  const std::string rejected = "proxywatch_config_valid{file=\"web\"} 0";
  // A broken edit: the last good configuration serves on; the next connections notice it.
  dir_.write_file("web.yml", "tls_server_config: [\n");
  EXPECT_TRUE(testing::wait_until(
      [&] { return curl(scrape_args).out.find(rejected) != std::string::npos; }, 10s, 50ms))
      << daemon_->log();
  EXPECT_EQ(status_of(curl(scrape_args)), "200");
  EXPECT_EQ(
      testing::occurrences(daemon_->log(), "web configuration rejected, keeping the last good one"),
      1u)
      << daemon_->log();

  // Fixed, and SIGHUP: read at once, with no connection to notice it.
  dir_.write_file("web.yml", mtls_web_config());
  kill(daemon_->pid(), SIGHUP);
  EXPECT_TRUE(testing::wait_until(
      [&] { return daemon_->log().find("web configuration applied") != std::string::npos; }, 10s))
      << daemon_->log();
  // Counted on the probing thread, right after the reload.
  EXPECT_TRUE(testing::wait_until(
      [&] {
        return curl(scrape_args).out.find("proxywatch_config_valid{file=\"web\"} 1") !=
               std::string::npos;
      },
      5s, 50ms));
  // Without the client certificate: the handshake is refused, no HTTP answer.
  EXPECT_EQ(status_of(curl({"--cacert", ca, "-u", right, https_url()})), "000");
  EXPECT_EQ(daemon_->log().find("s3cret"), std::string::npos);
}

TEST_F(WebListenerTest, BrokenWebConfigIsAStartUpErrorNamingTheProblem) {
  struct Case {
    std::string web_yml;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"tls_server_config:\n  cert_file: web.pem\n", "needs both cert_file and key_file"},
      {"tls_server_config:\n  cert_file: missing.pem\n  key_file: web.key\n",
       "cert_file " + (dir_.path() / "missing.pem").string()},
      // The CA's key with the leaf's certificate (OpenSSL: "key values mismatch").
      {"tls_server_config:\n  cert_file: web.pem\n  key_file: ca.key\n",
       "key_file " + (dir_.path() / "ca.key").string()},
      {"basic_auth_users:\n  prometheus: plaintext\n", "expected a bcrypt hash"},
      {"tls_server_config: [\n", "invalid YAML"},
  };
  for (const Case& c : cases) {
    write_config(c.web_yml);
    const auto r = testing::run_process(
        {PROXYWATCH_BINARY, "daemon", "--config", yaml_.string(), "--log-target", "stderr"}, {},
        15s);
    EXPECT_EQ(r.exit_code, 1) << c.web_yml << r.err;
    EXPECT_NE(r.err.find("cannot start: web_config_file: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.web_yml << r.err;
    EXPECT_FALSE(testing::port_accepts(port_)) << "a broken web config must not serve";
  }
  // A missing file too.
  dir_.write_file("proxywatch.yaml", "metrics_listen: 127.0.0.1:" + std::to_string(port_) +
                                         "\nweb_config_file: /nonexistent/web.yml\n");
  const auto r = testing::run_process(
      {PROXYWATCH_BINARY, "daemon", "--config", yaml_.string(), "--log-target", "stderr"}, {}, 15s);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/nonexistent/web.yml"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace proxywatch
