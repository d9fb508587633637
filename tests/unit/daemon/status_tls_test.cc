// `proxywatch status` against a listener behind a web configuration with TLS, mutual TLS
// (RequireAndVerifyClientCert) and basic auth, served on loopback by an HttpServer: with the CA,
// its client certificate and the password from the environment it prints the status; without
// the certificate, with a wrong password, without a user or over plain HTTP it exits 2 with a
// sentence saying what to give — and the password reaches no output.
#include "daemon/status_command.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "common/output/json/json_fields.h"
#include "common/output/status/status_json.h"
#include "common/output/web/http_server.h"
#include "daemon/web_security.h"
#include "tests/support/command_run.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace proxywatch {
namespace {

namespace asio = boost::asio;

// htpasswd -nbB -C 4 prometheus 'se cret:pw€' (as tests/unit/output/web/basic_auth_test.cc).
const std::string kStatusTlsHash = "$2y$04$qsVDvvlPi27qffvaeHvFXuL3H9dKy2zk7yW03uirvC6py00NxvPM2";
const std::string kStatusTlsPassword = "se cret:pw€";

std::string status_tls_body() {
  StatusSnapshot s{.version = "1.0",
                   .generated = std::chrono::system_clock::now(),
                   .proxy = "127.0.0.1:3128",
                   .proxy_file = "/etc/sf/iprep_proxy.conf"};
  s.targets.push_back(TargetStatus{
      .name = "tools", .destination = "tools.cisco.com:443", .health = HealthState::kHealthy});
  return proxywatch::serialize(to_json(s));
}

class StatusTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const testing::SharedPki& pki = testing::shared_pki();
    client_ = testing::make_client_leaf(pki.ca, dir_.path(), "prometheus");
    web_ = dir_.write_file(
        "web.yml", "tls_server_config:\n  cert_file: " + pki.localhost.cert_file.string() +
                       "\n  key_file: " + pki.localhost.key_file.string() +
                       "\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: " +
                       pki.ca.cert_file.string() +
                       "\nbasic_auth_users:\n  prometheus: " + kStatusTlsHash + "\n");
    auto security = load_web_security(web_.string());
    ASSERT_TRUE(security) << security.error();
    server_ = std::make_unique<HttpServer>(
        io_, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0),
        HttpServer::Handlers{{"/status.json",
                              [body = status_tls_body()](const HttpQuery&) {
                                return HttpResponse{200, "application/json", body};
                              }}},
        HttpServerLimits{}, *security);
    ASSERT_TRUE(server_->start());
    thread_ = std::thread([this] { io_.run(); });
    address_ = "127.0.0.1:" + std::to_string(server_->local_endpoint().port());
    ::setenv(kPasswordVariable, kStatusTlsPassword.c_str(), 1);
  }
  void TearDown() override {
    ::unsetenv(kPasswordVariable);
    asio::post(io_, [this] { server_->stop(); });
    work_.reset();
    thread_.join();
  }
  testing::CommandRun status(std::vector<std::string> extra) const {
    std::vector<std::string> args = {"--listen", "https://" + address_};
    args.insert(args.end(), extra.begin(), extra.end());
    return testing::run_command(run_status_command, args);
  }
  std::vector<std::string> with_certificate() const {
    return {"--ca-file",   testing::shared_pki().ca.cert_file.string(),
            "--cert-file", client_.cert_file.string(),
            "--key-file",  client_.key_file.string()};
  }
  static void expect_no_password(const testing::CommandRun& run) {
    EXPECT_EQ(run.out.find("se cret"), std::string::npos) << run.out;
    EXPECT_EQ(run.err.find("se cret"), std::string::npos) << run.err;
  }

  testing::TempDir dir_{"pw-status-tls"};
  testing::LeafCertificate client_;
  std::filesystem::path web_;
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{
      io_.get_executor()};
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  std::string address_;
};

TEST_F(StatusTlsTest, SpeaksTlsWithAClientCertificateAndAPassword) {
  std::vector<std::string> args = with_certificate();
  args.insert(args.end(), {"--user", "prometheus"});
  const testing::CommandRun ok = status(args);
  EXPECT_EQ(ok.status, kExitStatusHealthy) << ok.err;
  EXPECT_NE(ok.out.find("tools (tools.cisco.com:443; custom targets): healthy"), std::string::npos)
      << ok.out;
  expect_no_password(ok);

  // The password from a file instead; a wrong one is a 401 naming the user, not the password.
  const auto wrong_file = dir_.write_file("password", "not it\n");
  std::vector<std::string> wrong_args = args;
  wrong_args.insert(wrong_args.end(), {"--password-file", wrong_file.string()});
  const testing::CommandRun wrong = status(wrong_args);
  EXPECT_EQ(wrong.status, kExitStatusUnreachable);
  EXPECT_NE(wrong.err.find("https://" + address_ + "/status.json"), std::string::npos) << wrong.err;
  EXPECT_NE(wrong.err.find("401: the user prometheus or its password is wrong"), std::string::npos)
      << wrong.err;
  EXPECT_EQ(wrong.err.find("not it"), std::string::npos) << wrong.err;

  const testing::CommandRun no_user = status(with_certificate());
  EXPECT_EQ(no_user.status, kExitStatusUnreachable);
  EXPECT_NE(no_user.err.find("give --user NAME with the password in PROXYWATCH_PASSWORD"),
            std::string::npos)
      << no_user.err;
}

TEST_F(StatusTlsTest, WhatIsMissingIsNamed) {
  // No client certificate: the listener refuses the handshake (TLS 1.3: at the first read).
  const testing::CommandRun no_cert =
      status({"--ca-file", testing::shared_pki().ca.cert_file.string(), "--user", "prometheus"});
  EXPECT_EQ(no_cert.status, kExitStatusUnreachable);
  EXPECT_NE(no_cert.err.find("--cert-file and --key-file"), std::string::npos) << no_cert.err;
  expect_no_password(no_cert);

  // Plain HTTP to a TLS listener: no answer, and a hint.
  const testing::CommandRun plain =
      testing::run_command(run_status_command, {"--listen", address_, "--user", "prometheus"});
  EXPECT_EQ(plain.status, kExitStatusUnreachable);
  EXPECT_NE(plain.err.find("http://" + address_), std::string::npos) << plain.err;
  EXPECT_NE(plain.err.find("give --ca-file, or an https:// address"), std::string::npos)
      << plain.err;

  // Without --listen, the YAML's web_config_file says https (the test CA is not the system's).
  const auto yaml =
      dir_.write_file("proxywatch.yaml",
                      "metrics_listen: " + address_ + "\nweb_config_file: " + web_.string() + "\n");
  const testing::CommandRun from_yaml =
      testing::run_command(run_status_command, {"--config", yaml.string()});
  EXPECT_EQ(from_yaml.status, kExitStatusUnreachable);
  EXPECT_NE(from_yaml.err.find("https://" + address_), std::string::npos) << from_yaml.err;
  EXPECT_NE(from_yaml.err.find("TLS handshake failed"), std::string::npos) << from_yaml.err;

  // Usage errors: a certificate without its key, a user without a password.
  EXPECT_NE(status({"--cert-file", client_.cert_file.string()})
                .err.find("--cert-file and --key-file go together"),
            std::string::npos);
  ::unsetenv(kPasswordVariable);
  const testing::CommandRun no_password = status({"--user", "prometheus"});
  EXPECT_EQ(no_password.status, kExitStatusUnreachable);
  EXPECT_NE(no_password.err.find("--user needs the password in PROXYWATCH_PASSWORD"),
            std::string::npos)
      << no_password.err;
}

}  // namespace
}  // namespace proxywatch
