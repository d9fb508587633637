// The Debian package on this machine, as an operator would use it: install the .deb that
// packaging/build-deb.sh built (ctest's package_build fixture, into PROXYWATCH_DEB_DIR),
// `proxywatch --version`, /etc/default/proxywatch (ARGS) as a conffile, the rules and dashboard
// package (proxywatch-mixin) installed and purged beside it, `systemd-analyze verify` on the
// installed unit (man pages of Documentation= included), hardening-check on the installed
// binary, an upgrade to a
// higher version of the same package that keeps a changed conffile and the state directory,
// remove, purge — then no file of the package is left, the unit's enablement and the catalog
// entries are gone, and the proxywatch user is removed again if this test made it (Debian
// keeps system users on purge). Where systemd is PID 1, the installed service is also started
// and its /metrics read. Skipped when proxywatch is installed already (the test will not
// replace an operator's package) or when not root.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/integration/built_deb.h"

#include "tests/support/process.h"
#include "tests/support/read_file.h"
#include "tests/support/scrape.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace proxywatch::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kConffile = "/etc/proxywatch/proxywatch.yaml";
constexpr const char* kDefaultsFile = "/etc/default/proxywatch";
constexpr const char* kMixinRules = "/usr/share/proxywatch/prometheus/proxywatch-alerts.yml";
constexpr const char* kStateDir = "/var/lib/proxywatch";
constexpr const char* kHealthChangedId = "d53e7a4a09d34d31b9f99c743510eea5";

// Runs a command that must succeed; its stdout.
std::string must_run(const std::vector<std::string>& argv,
                     std::chrono::milliseconds timeout = 120s) {
  ProcessResult r = run_process(argv, {{"DEBIAN_FRONTEND", "noninteractive"}}, timeout);
  EXPECT_EQ(r.exit_code, 0) << argv[0] << " " << (argv.size() > 1 ? argv[1] : "") << ":\n"
                            << r.out << r.err;
  return r.out;
}

// Runs dpkg with `args`, which must succeed. The machine is shared: while another apt or dpkg
// holds dpkg's lock, the call is repeated (every second, for at most 5 minutes) instead of
// failing half-way through an install and leaving the package behind.
void dpkg(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"dpkg"};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult r;
  wait_until(
      [&] {
        r = run_process(argv, {{"DEBIAN_FRONTEND", "noninteractive"}}, 300s);
        return r.exit_code == 0 || r.err.find("lock") == std::string::npos;
      },
      300s, 1s);
  EXPECT_EQ(r.exit_code, 0) << "dpkg " << args.front() << ":\n" << r.out << r.err;
}

// dpkg's status of `package` ("install ok installed", "deinstall ok config-files") or "".
std::string package_status(const std::string& package = "proxywatch") {
  ProcessResult r = run_process({"dpkg-query", "-W", "-f=${Status}", package});
  return r.exit_code == 0 ? r.out : "";
}

bool user_exists(const std::string& name) {
  return run_process({"getent", "passwd", name}).exit_code == 0;
}

bool group_exists(const std::string& name) {
  return run_process({"getent", "group", name}).exit_code == 0;
}

// The paths the package holds, from `dpkg-deb -c` ("drwxr-xr-x root/root 0 DATE TIME ./usr/",
// symlinks "./a -> b"), without the trailing '/' of directories.
std::vector<std::string> package_files(const std::string& deb) {
  std::istringstream listing(must_run({"dpkg-deb", "-c", deb}));
  std::vector<std::string> out;
  for (std::string line; std::getline(listing, line);) {
    std::size_t at = line.find(" ./");
    if (at == std::string::npos) continue;
    std::string path = line.substr(at + 2, line.find(" -> ", at) - at - 2);
    while (path.size() > 1 && path.ends_with('/')) path.pop_back();
    if (path != "/") out.push_back(path);
  }
  return out;
}

// A copy of `deb` with Version `version`: the upgrade path without a second compile.
std::string repack_with_version(const std::string& deb, const std::string& version,
                                const TempDir& dir) {
  fs::path tree = dir.path() / "tree";
  must_run({"dpkg-deb", "-R", deb, tree.string()});
  must_run({"sed", "-i", "s/^Version: .*/Version: " + version + "/",
            (tree / "DEBIAN/control").string()});
  std::string out = (dir.path() / ("proxywatch_" + version + ".deb")).string();
  must_run({"dpkg-deb", "--root-owner-group", "-b", tree.string(), out});
  return out;
}

class PackageInstallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "installing a package needs root";
    if (!package_status().empty() || !package_status("proxywatch-mixin").empty()) {
      GTEST_SKIP() << "proxywatch is installed on this machine already; not replacing it";
    }
    deb_ = built_deb();
    mixin_deb_ = built_deb("proxywatch-mixin");
    ASSERT_FALSE(deb_.empty() || mixin_deb_.empty())
        << "no proxywatch and proxywatch-mixin .deb in " << PROXYWATCH_DEB_DIR
        << " (the package_build test makes them)";
    user_existed_ = user_exists("proxywatch");
    group_existed_ = group_exists("proxywatch");
  }

  // Whatever happened, the machine ends as it was: package purged, user gone if ours. Only
  // after this test installed it: a test that skipped never touches the package (ctest keeps
  // the two apart by RESOURCE_LOCK dpkg as well).
  void TearDown() override {
    if (deb_.empty() || !installed_) return;
    if (!package_status().empty()) {
      dpkg({"--purge", "proxywatch"});
    }
    if (!package_status("proxywatch-mixin").empty()) dpkg({"--purge", "proxywatch-mixin"});
    if (!user_existed_ && user_exists("proxywatch")) run_process({"userdel", "proxywatch"});
    if (!group_existed_ && group_exists("proxywatch")) run_process({"groupdel", "proxywatch"});
    EXPECT_EQ(package_status(), "");
    EXPECT_EQ(user_exists("proxywatch"), user_existed_);
  }

  void install(const std::string& deb) {
    installed_ = true;
    dpkg({"-i", deb});
  }

  std::string deb_;
  bool installed_ = false;
  bool user_existed_ = false;
  bool group_existed_ = false;
  std::string mixin_deb_;
};

TEST_F(PackageInstallTest, InstallUpgradeRemovePurgeLeavesNothing) {
  std::vector<std::string> files = package_files(deb_);
  ASSERT_FALSE(files.empty());
  TempDir work("pw-pkg");
  std::string upgrade = repack_with_version(deb_, "0.1.0+upgradetest1", work);

  std::vector<std::string> mixin_files = package_files(mixin_deb_);
  install(deb_);
  EXPECT_EQ(package_status(), "install ok installed");
  EXPECT_TRUE(must_run({"/usr/bin/proxywatch", "--version"})
                  .starts_with("proxywatch, version " PROXYWATCH_VERSION " (revision: "));
  EXPECT_TRUE(user_exists("proxywatch")) << "postinst did not create the user (sysusers)";
  ProcessResult verify =
      run_process({"systemd-analyze", "verify", "/lib/systemd/system/proxywatch.service"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_EQ(verify.err.find("proxywatch"), std::string::npos) << verify.err;
  // Not CET: Debian 12 cannot mark executables so (debian/rules, package_lint_test.cc).
  ProcessResult hardening =
      run_process({"hardening-check", "--nocfprotection", "/usr/bin/proxywatch"});
  EXPECT_EQ(hardening.exit_code, 0) << hardening.out << hardening.err;
  const std::string conffiles = must_run({"dpkg-query", "-W", "-f=${Conffiles}", "proxywatch"});
  EXPECT_NE(conffiles.find(kConffile), std::string::npos) << conffiles;
  EXPECT_NE(conffiles.find(kDefaultsFile), std::string::npos) << conffiles;
  EXPECT_NE(read_file(kDefaultsFile).find("\nARGS=\"\"\n"), std::string::npos);
  EXPECT_FALSE(fs::exists(kMixinRules)) << "the rules are proxywatch-mixin's";
  install(mixin_deb_);  // Architecture: all, on its own (it depends on nothing of proxywatch's)
  EXPECT_EQ(package_status("proxywatch-mixin"), "install ok installed");
  EXPECT_TRUE(fs::exists(kMixinRules));
  EXPECT_TRUE(fs::exists("/usr/share/proxywatch/grafana/proxywatch.json"));
  dpkg({"--purge", "proxywatch-mixin"});
  EXPECT_EQ(package_status("proxywatch-mixin"), "");
  for (const std::string& file : mixin_files) {
    if (fs::is_directory(file) && file.find("proxywatch") == std::string::npos) continue;
    EXPECT_FALSE(fs::exists(fs::symlink_status(file))) << file << " left after purge";
  }
  EXPECT_NE(must_run({"journalctl", "--list-catalog", "--no-pager", kHealthChangedId})
                .find("proxywatch:"),
            std::string::npos)
      << "systemd's trigger did not compile the catalog";
  EXPECT_TRUE(fs::exists("/usr/share/man/man8/proxywatch.8.gz"));
  EXPECT_TRUE(fs::exists("/usr/share/man/man5/proxywatch.yaml.5.gz"));

  // An operator's edit and the probe history survive the upgrade.
  { std::ofstream(kConffile, std::ios::app) << "interval: 30s  # edited by the operator\n"; }
  fs::create_directories(kStateDir);
  { std::ofstream(fs::path(kStateDir) / "state.json") << "{}\n"; }
  install(upgrade);
  EXPECT_EQ(must_run({"dpkg-query", "-W", "-f=${Version}", "proxywatch"}), "0.1.0+upgradetest1");
  EXPECT_NE(read_file(kConffile).find("edited by the operator"), std::string::npos);
  EXPECT_TRUE(fs::exists(fs::path(kStateDir) / "state.json"));
  install(upgrade);  // reinstalling the same version takes the upgrade path too
  EXPECT_EQ(package_status(), "install ok installed");

  dpkg({"--remove", "proxywatch"});
  EXPECT_EQ(package_status(), "deinstall ok config-files");
  EXPECT_FALSE(fs::exists("/usr/bin/proxywatch"));
  EXPECT_TRUE(fs::exists(kConffile)) << "remove must keep the conffile";
  EXPECT_TRUE(fs::exists(kStateDir)) << "remove must keep the history";

  dpkg({"--purge", "proxywatch"});
  EXPECT_EQ(package_status(), "");
  for (const std::string& file : files) {
    if (fs::is_directory(file) && file.find("proxywatch") == std::string::npos)
      continue;  // /usr, /etc ...
    EXPECT_FALSE(fs::exists(fs::symlink_status(file))) << file << " left after purge";
  }
  EXPECT_FALSE(fs::exists("/etc/proxywatch"));
  EXPECT_FALSE(fs::exists(kStateDir));
  for (const auto& entry : fs::directory_iterator("/var/lib/dpkg/info")) {
    EXPECT_FALSE(entry.path().filename().string().starts_with("proxywatch."))
        << entry.path() << " left in dpkg's database";
  }
  EXPECT_FALSE(fs::exists("/etc/systemd/system/multi-user.target.wants/proxywatch.service"));
  EXPECT_FALSE(
      fs::exists("/var/lib/systemd/deb-systemd-helper-enabled/proxywatch.service.dsh-also"));
  EXPECT_EQ(run_process({"journalctl", "--list-catalog", "--no-pager", kHealthChangedId})
                .out.find("proxywatch:"),
            std::string::npos)
      << "the catalog database still explains proxywatch's events";
}

TEST_F(PackageInstallTest, StartsAndServesMetricsUnderSystemd) {
  if (read_file("/proc/1/comm") != "systemd\n") {
    GTEST_SKIP() << "PID 1 is " << read_file("/proc/1/comm") << "not systemd: the service "
                 << "cannot be started here (the install test still verifies the unit)";
  }
  install(deb_);
  must_run({"systemctl", "start", "proxywatch.service"}, 60s);
  std::string body;
  EXPECT_TRUE(wait_until(
      [&] {
        return (body = http_get(39555, "/metrics")).find("proxywatch_build_info") !=
               std::string::npos;
      },
      20s, 200ms))
      << body << must_run({"systemctl", "status", "--no-pager", "proxywatch.service"});
  must_run({"systemctl", "stop", "proxywatch.service"}, 60s);
}

}  // namespace
}  // namespace proxywatch::testing
