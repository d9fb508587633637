// Checks systemd/proxywatch.service and systemd/proxywatch.sysusers with systemd's own tools,
// without a running systemd (tests run in containers where PID 1 is not systemd):
//
// - `systemd-analyze verify` loads the unit in a private test-mode manager, so it needs no
//   running systemd; it does require ExecStart's binary to exist, so the test verifies a copy
//   whose ExecStart names the binary just built. It does not resolve User= (that happens at
//   start), so the user is checked separately by running systemd-sysusers on the sysusers file
//   into a scratch root. Unknown keys and bad values are only warnings there (exit 0), so any
//   diagnostic naming the unit fails the test.
// - `systemd-analyze security --offline=true` scores the hardening from the file alone.
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/daemon.h"
#include "tests/support/process.h"
#include "tests/support/read_file.h"
#include "tests/support/temp_dir.h"

namespace proxywatch::testing {
namespace {

constexpr double kMaxExposure = 2.0;
constexpr std::string_view kInstalledBinary = "/usr/bin/proxywatch";

// The unit with ExecStart's program replaced by `binary`.
std::string with_binary(std::string unit, std::string_view binary) {
  std::string key = "\nExecStart=" + std::string(kInstalledBinary);
  std::size_t at = unit.find(key);
  if (at == std::string::npos) throw std::runtime_error("ExecStart=/usr/bin/proxywatch not found");
  return unit.replace(at + 11, kInstalledBinary.size(), binary);
}

// Lines of `output` that mention `name` (verify prefixes its diagnostics with the unit path).
std::string lines_mentioning(const std::string& output, const std::string& name) {
  std::istringstream in(output);
  std::string line;
  std::string found;
  while (std::getline(in, line)) {
    if (line.find(name) != std::string::npos) found += line + "\n";
  }
  return found;
}

// The number after "Overall exposure level for UNIT: ", if present.
std::optional<double> exposure_level(const std::string& output) {
  constexpr std::string_view kPrefix = "Overall exposure level for ";
  std::size_t at = output.find(kPrefix);
  if (at == std::string::npos) return std::nullopt;
  std::size_t colon = output.find(": ", at);
  if (colon == std::string::npos) return std::nullopt;
  const char* begin = output.c_str() + colon + 2;
  char* end = nullptr;
  double level = std::strtod(begin, &end);
  if (end == begin) return std::nullopt;
  return level;
}

class SystemdUnitTest : public ::testing::Test {
 protected:
  // Writes the unit (ExecStart pointing at the built binary) into the temp dir, as
  // proxywatch.service so that the tools' messages name it.
  std::string write_unit(const std::string& text) {
    return dir_.write_file("proxywatch.service", with_binary(text, PROXYWATCH_BINARY)).string();
  }
  std::string unit_text_ =
      read_file(std::filesystem::path(PROXYWATCH_SOURCE_DIR) / "systemd/proxywatch.service");
  TempDir dir_{"proxywatch-unit"};
};

TEST_F(SystemdUnitTest, VerifyReportsNothing) {
  std::string path = write_unit(unit_text_);
  ProcessResult result = run_process({"systemd-analyze", "verify", "--man=no", path});
  ASSERT_FALSE(result.timed_out);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(lines_mentioning(result.out + result.err, "proxywatch.service"), "");
}

// The check above is only worth something if verify does complain about a broken unit.
TEST_F(SystemdUnitTest, VerifyFlagsUnknownKeysAndBadValues) {
  std::string broken = unit_text_;
  broken.replace(broken.find("UMask=0077"), 10, "UMask=0077\nProtectSytem=strict\nUMask=rwx");
  std::string path = write_unit(broken);
  ProcessResult result = run_process({"systemd-analyze", "verify", "--man=no", path});
  std::string complaints = lines_mentioning(result.out + result.err, "proxywatch.service");
  EXPECT_NE(complaints.find("ProtectSytem"), std::string::npos) << complaints;
  EXPECT_NE(complaints.find("rwx"), std::string::npos) << complaints;
}

TEST_F(SystemdUnitTest, ExposureLevelIsAtMostTwo) {
  std::string path = write_unit(unit_text_);
  ProcessResult result = run_process({"systemd-analyze", "security", "--offline=true", path});
  ASSERT_FALSE(result.timed_out);
  std::optional<double> level = exposure_level(result.out);
  ASSERT_TRUE(level.has_value()) << result.out << result.err;
  EXPECT_LE(*level, kMaxExposure) << result.out;
}

// systemd/capture.conf (the example drop-in for `capture:`) applied to the unit: its settings
// verify, and the exposure stays within bounds. A drop-in's lines act as if appended to the
// unit's [Service] section.
TEST_F(SystemdUnitTest, CaptureDropInVerifiesAndKeepsTheExposureLow) {
  std::string drop_in =
      read_file(std::filesystem::path(PROXYWATCH_SOURCE_DIR) / "systemd/capture.conf");
  std::size_t service = drop_in.find("\n[Service]\n");
  ASSERT_NE(service, std::string::npos);
  std::string unit = unit_text_;
  unit.insert(unit.find("\n[Install]"), "\n" + drop_in.substr(service + 11));
  EXPECT_NE(unit.find("AmbientCapabilities=CAP_NET_RAW"), std::string::npos);
  std::string path = write_unit(unit);
  ProcessResult verify = run_process({"systemd-analyze", "verify", "--man=no", path});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_EQ(lines_mentioning(verify.out + verify.err, "proxywatch.service"), "");
  ProcessResult security = run_process({"systemd-analyze", "security", "--offline=true", path});
  std::optional<double> level = exposure_level(security.out);
  ASSERT_TRUE(level.has_value()) << security.out << security.err;
  EXPECT_LE(*level, kMaxExposure) << security.out;
}

TEST_F(SystemdUnitTest, DeclaresTheDaemonContract) {
  for (std::string_view setting :
       {"Type=notify", "WatchdogSec=30s", "NotifyAccess=main", "ExecReload=/bin/kill -HUP $MAINPID",
        "Restart=on-failure", "User=proxywatch", "StateDirectory=proxywatch",
        "ReadOnlyPaths=-/etc/sf", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
        "EnvironmentFile=-/etc/default/proxywatch",
        "ExecStart=/usr/bin/proxywatch daemon --config /etc/proxywatch/proxywatch.yaml $ARGS"}) {
    EXPECT_NE(unit_text_.find("\n" + std::string(setting) + "\n"), std::string::npos) << setting;
  }
}

// The words of `text` split at spaces, as systemd splits an unquoted $ARGS.
std::vector<std::string> unit_words(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

// ExecStart with $ARGS from systemd/proxywatch.default (installed as /etc/default/proxywatch):
// the shipped ARGS="" and the example in its comment both make a command line the daemon takes.
TEST_F(SystemdUnitTest, ExecStartWithTheDefaultFilesArgsParses) {
  const std::string defaults =
      read_file(std::filesystem::path(PROXYWATCH_SOURCE_DIR) / "systemd/proxywatch.default");
  EXPECT_NE(defaults.find("\nARGS=\"\"\n"), std::string::npos) << defaults;
  const std::string example_key = "\n# ARGS=\"";
  const std::size_t example = defaults.find(example_key);
  ASSERT_NE(example, std::string::npos) << defaults;
  const std::size_t begin = example + example_key.size();
  const std::string example_args = defaults.substr(begin, defaults.find('"', begin) - begin);

  const std::size_t exec = unit_text_.find("\nExecStart=/usr/bin/proxywatch ");
  ASSERT_NE(exec, std::string::npos);
  const std::size_t args_begin = exec + std::string("\nExecStart=/usr/bin/proxywatch ").size();
  std::vector<std::string> words =
      unit_words(unit_text_.substr(args_begin, unit_text_.find('\n', args_begin) - args_begin));
  ASSERT_GE(words.size(), 2u);
  ASSERT_EQ(words.front(), "daemon");
  ASSERT_EQ(words.back(), "$ARGS");
  words.erase(words.begin());
  words.pop_back();
  auto shipped = parse_daemon_args(words);
  ASSERT_TRUE(shipped) << shipped.error();
  EXPECT_EQ(shipped->config_path, "/etc/proxywatch/proxywatch.yaml");
  for (const std::string& word : unit_words(example_args)) words.push_back(word);
  auto with_example = parse_daemon_args(words);
  ASSERT_TRUE(with_example) << with_example.error() << "\n" << example_args;
  EXPECT_TRUE(with_example->overrides.listen_address.has_value()) << example_args;
}

TEST(SysusersTest, CreatesTheServiceUserWithoutLogin) {
  TempDir root("proxywatch-sysroot");
  std::filesystem::create_directory(root.path() / "etc");
  ProcessResult result =
      run_process({"systemd-sysusers", "--root=" + root.path().string(),
                   std::string(PROXYWATCH_SOURCE_DIR) + "/systemd/proxywatch.sysusers"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // A fresh root holds only what the sysusers file creates.
  std::string passwd = root.read_file("etc/passwd");
  EXPECT_EQ(passwd.rfind("proxywatch:x:", 0), 0u) << passwd;
  EXPECT_NE(passwd.find(":/usr/sbin/nologin\n"), std::string::npos) << passwd;
  EXPECT_EQ(root.read_file("etc/group").rfind("proxywatch:x:", 0), 0u);
}

}  // namespace
}  // namespace proxywatch::testing
