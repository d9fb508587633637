// `proxywatch config-check` on files made in a temporary directory: a valid configuration
// prints the plan and "configuration OK" (exit 0); each kind of error prints FILE:LINE:COL and
// "configuration invalid" (exit 2); passwords never reach either stream.
#include "daemon/config_check_command.h"

#include <filesystem>
#include <sstream>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/command_run.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace proxywatch {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::TempDir;

constexpr std::string_view kProxyConf =
    "iprep_proxy {\n  PROXY_HOST 10.10.10.1;\n  PROXY_PORT 80;\n}\n";

using testing::CommandRun;

CommandRun config_check(const std::vector<std::string>& args) {
  return testing::run_command(run_config_check_command, args);
}

// A YAML file and a proxy file side by side; the YAML file names the proxy file.
class ConfigCheckTest : public ::testing::Test {
 protected:
  std::string write_yaml(std::string_view targets) {
    return dir_
        .write_file("proxywatch.yaml", "proxy_file: " + proxy_path() + "\n" + std::string(targets))
        .string();
  }
  std::string write_proxy(std::string_view text) {
    return dir_.write_file("iprep_proxy.conf", text).string();
  }
  std::string proxy_path() const { return (dir_.path() / "iprep_proxy.conf").string(); }
  std::string path(std::string_view name) const { return (dir_.path() / name).string(); }

  TempDir dir_{"proxywatch-config-check"};
};

TEST_F(ConfigCheckTest, ValidFilesPrintThePlanAndExitZero) {
  std::string yaml = write_yaml("targets:\n  - name: tools\n    host: tools.cisco.com\n");
  write_proxy(kProxyConf);
  CommandRun r = config_check({"--config", yaml});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_THAT(r.out, HasSubstr("configuration: " + yaml + "\n"));
  EXPECT_THAT(r.out, HasSubstr("proxy: 10.10.10.1:80 (from " + proxy_path()));
  EXPECT_THAT(
      r.out,
      HasSubstr("targets: 1\n  custom targets (service custom):\n    tools: tools.cisco.com:443"));
  EXPECT_THAT(r.out, HasSubstr("confirmation probes: 5s, 10s, 20s after a probe that leaves a "
                               "target's verdict unsettled (at most 3 between two regular "
                               "probes)\n"));
  EXPECT_TRUE(r.out.ends_with("configuration OK\n")) << r.out;
  std::string off = write_yaml("confirm: {delays: []}\n");
  EXPECT_THAT(config_check({"--config", off}).out,
              HasSubstr("confirmation probes: off (confirm: {delays: []})\n"));
}

TEST_F(ConfigCheckTest, ProxyFileWarningsArePrinted) {
  std::string yaml = write_yaml("");
  write_proxy("iprep_proxy { PROXY_HOST 10.10.10.1; PROXY_PORT 80; PROXY_COLOUR blue; }\n");
  CommandRun r = config_check({"--config", yaml});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("warning: " + proxy_path() + ":1:"));
  EXPECT_THAT(r.out, HasSubstr("PROXY_COLOUR"));
}

TEST_F(ConfigCheckTest, BadYamlIsFileLineColumnAndExitTwo) {
  write_proxy(kProxyConf);
  std::string yaml = dir_.write_file("proxywatch.yaml",
                                     "interval: 60s\ntargets:\n  - name: x\n"
                                     "    host: h\n    port: lots\n")
                         .string();
  CommandRun r = config_check({"--config", yaml});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("proxywatch config-check: " + yaml + ":5:11: "));
  EXPECT_TRUE(r.err.ends_with("configuration invalid\n")) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("configuration OK")));
}

TEST_F(ConfigCheckTest, BrokenProxyFileIsLineColumnAndExitTwo) {
  std::string yaml = write_yaml("");
  write_proxy("iprep_proxy {\n  PROXY_HOST 10.10.10.1;\n  PROXY_PORT eighty;\n}\n");
  CommandRun r = config_check({"--config", yaml});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("proxywatch config-check: " + proxy_path() + ":3:14: "));
  EXPECT_THAT(r.err, HasSubstr("configuration invalid\n"));
}

TEST_F(ConfigCheckTest, AbsentProxyFileDisablesTheProxyAndIsOk) {
  std::string yaml = write_yaml("");
  CommandRun r = config_check({"--config", yaml});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("proxy: disabled"));
  EXPECT_THAT(r.out, HasSubstr("configuration OK\n"));
}

TEST_F(ConfigCheckTest, ProxyFileFlagOverridesTheYaml) {
  std::string yaml = write_yaml("");
  std::string other = dir_.write_file("other.conf", kProxyConf).string();
  CommandRun r = config_check({"--config", yaml, "--proxy-file", other});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("(from " + other));
}

TEST_F(ConfigCheckTest, AbsentDefaultYamlMeansBuiltInDefaults) {
  ConfigCheckOptions options;
  options.config_file = path("absent.yaml");
  options.proxy_file = write_proxy(kProxyConf);
  std::ostringstream out, err;
  EXPECT_EQ(run_config_check(options, out, err), 0) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("built-in defaults (" + options.config_file));
  EXPECT_THAT(out.str(), HasSubstr("tools.cisco.com:443"));
  EXPECT_THAT(out.str(), HasSubstr("smartreceiver.cisco.com:443"));
}

TEST_F(ConfigCheckTest, AbsentExplicitYamlIsAnError) {
  CommandRun r = config_check({"--config", path("absent.yaml")});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr(path("absent.yaml") + ": file does not exist"));
}

TEST_F(ConfigCheckTest, UnreadableCaFileNamesTargetAndFile) {
  write_proxy(kProxyConf);
  std::filesystem::create_directory(dir_.path() / "cadir");
  std::string yaml = write_yaml(
      "targets:\n  - name: gone\n    host: a.test\n    ca_file: " + path("absent.pem") +
      "\n  - name: dir\n    host: b.test\n" + "    ca_file: " + path("cadir") +
      "\n  - name: junk\n" + "    host: c.test\n    ca_file: " + path("junk.pem") + "\n");
  dir_.write_file("junk.pem", "not a certificate\n");
  CommandRun r = config_check({"--config", yaml});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr(yaml + ": targets[0].ca_file: target gone: cannot read CA file \"" +
                               path("absent.pem") + "\": No such file or directory"));
  EXPECT_THAT(r.err, HasSubstr("target dir: cannot read CA file \"" + path("cadir")));
  EXPECT_THAT(r.err, HasSubstr("target junk: cannot load CA file " + path("junk.pem")));
  EXPECT_THAT(r.err, HasSubstr("configuration invalid\n"));
}

// The web configuration is loaded as the daemon loads it: a hash too costly for the listener is
// an error naming the file, the user and the ceiling (never the hash); a good file says what the
// listener will speak.
TEST_F(ConfigCheckTest, WebConfigIsValidatedAsTheDaemonLoadsIt) {
  write_proxy(kProxyConf);
  const std::string hash = "$2y$04$qsVDvvlPi27qffvaeHvFXuL3H9dKy2zk7yW03uirvC6py00NxvPM2";
  dir_.write_file("web.yml", "basic_auth_users:\n  prometheus: " + hash + "\n");
  std::string yaml = write_yaml("web_config_file: " + path("web.yml") + "\n");
  CommandRun ok = config_check({"--config", yaml});
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("web configuration: " + path("web.yml") +
                                ": plain HTTP, basic authentication (1 user)\n"));

  std::string costly = hash;
  costly.replace(4, 2, "31");
  dir_.write_file("web.yml", "basic_auth_users:\n  prometheus: " + costly + "\n");
  CommandRun refused = config_check({"--config", yaml});
  EXPECT_EQ(refused.status, 2);
  EXPECT_THAT(refused.err, HasSubstr(path("web.yml") + ":2:"));
  EXPECT_THAT(refused.err, HasSubstr("basic_auth_users.prometheus"));
  EXPECT_THAT(refused.err, HasSubstr("bcrypt cost 31 is above the ceiling of 14"));
  EXPECT_THAT(refused.err + refused.out, Not(HasSubstr("$2y$")));
  EXPECT_TRUE(refused.err.ends_with("configuration invalid\n")) << refused.err;
}

// Mutual TLS: the policy and its CA file are checked as the daemon loads them, each error
// naming the file and what to fix; a good one is described.
TEST_F(ConfigCheckTest, ClientCertificateSettingsAreValidated) {
  write_proxy(kProxyConf);
  const testing::SharedPki& pki = testing::shared_pki();
  const std::string tls = "tls_server_config:\n  cert_file: " + pki.localhost.cert_file.string() +
                          "\n  key_file: " + pki.localhost.key_file.string() + "\n";
  std::string yaml = write_yaml("web_config_file: " + path("web.yml") + "\n");
  dir_.write_file("web.yml", tls + "  client_auth_type: RequireAndVerifyClientCert\n" +
                                 "  client_ca_file: " + pki.ca.cert_file.string() + "\n");
  CommandRun ok = config_check({"--config", yaml});
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr(": TLS, client certificates RequireAndVerifyClientCert (CAs in " +
                                pki.ca.cert_file.string() + "), no authentication\n"));

  const std::vector<std::pair<std::string, std::string>> broken = {
      {"  client_auth_type: RequireAndVerifyClientCert\n", "needs client_ca_file"},
      {"  client_auth_type: Sometimes\n", "expected NoClientCert, RequestClientCert"},
      {"  client_ca_file: " + pki.ca.cert_file.string() + "\n", "client_auth_type is NoClientCert"},
      {"  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: missing.pem\n",
       "client_ca_file " + path("missing.pem")},
      {"  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: " +
           pki.localhost.key_file.string() + "\n",
       "client_ca_file " + pki.localhost.key_file.string()},
      {"  min_version: TLS13\n", "min_version: is not supported by proxywatch"},
  };
  for (const auto& [lines, message] : broken) {
    dir_.write_file("web.yml", tls + lines);
    CommandRun refused = config_check({"--config", yaml});
    EXPECT_EQ(refused.status, 2) << lines;
    EXPECT_THAT(refused.err, HasSubstr(path("web.yml") + ":")) << lines;
    EXPECT_THAT(refused.err, HasSubstr(message)) << lines;
  }
}

TEST_F(ConfigCheckTest, PasswordNeverPrinted) {
  constexpr std::string_view kSecret = "Pa55w0rd-sEcReT!";
  std::string yaml = write_yaml("");
  const std::string secret(kSecret);
  for (std::string proxy : {
           // valid: the plan says a password is set
           "iprep_proxy { PROXY_HOST 10.10.10.1; PROXY_PORT 80; PROXY_USER bob;"
           " PROXY_PASSWORD \"" +
               secret + "\"; }\n",
           // invalid after the password
           "iprep_proxy { PROXY_HOST 10.10.10.1; PROXY_PASSWORD " + secret + "; PROXY_PORT x; }\n",
           // the password given twice
           "iprep_proxy { PROXY_HOST h; PROXY_PORT 1; PROXY_PASSWORD " + secret +
               "; PROXY_PASSWORD " + secret + "; }\n",
           // a misspelt key that probably holds it
           "iprep_proxy { PROXY_HOST h; PROXY_PORT 1; PROXY_PASWORD " + secret + "; }\n",
       }) {
    write_proxy(proxy);
    CommandRun r = config_check({"--config", yaml});
    EXPECT_THAT(r.out, Not(HasSubstr(secret))) << proxy;
    EXPECT_THAT(r.err, Not(HasSubstr(secret))) << proxy;
    EXPECT_THAT(r.out + r.err, HasSubstr("configuration ")) << proxy;
  }
}

TEST(ConfigCheckCommandTest, UnknownFlagIsOneLineAndExitTwo) {
  CommandRun r = config_check({"--bogus"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "proxywatch config-check: unknown option --bogus\n");
  EXPECT_EQ(r.out, "");
}

TEST(ConfigCheckCommandTest, HelpPrintsUsage) {
  CommandRun r = config_check({"--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("usage: proxywatch config-check [--config FILE]"));
}

}  // namespace
}  // namespace proxywatch
