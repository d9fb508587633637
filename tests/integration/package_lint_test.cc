// The .debs that packaging/build-deb.sh built (ctest's package_build fixture, into
// PROXYWATCH_DEB_DIR), checked as a Debian packager would, without installing them:
// lintian -I --pedantic reports no error and no warning on either (the overrides it honours each
// carry a written reason), hardening-check passes on the packaged binary (PIE, stack protector,
// _FORTIFY_SOURCE, full RELRO; not CET, which Debian 12 cannot give), proxywatch holds what
// issue 14 lists (binary, unit, sysusers, conffiles, man pages, catalog, docs, copyright) and
// issue 22 adds (/etc/default/proxywatch), and proxywatch-mixin (Architecture: all) holds the
// Prometheus rules and the Grafana dashboard, which the appliance's package no longer does.
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/integration/built_deb.h"

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace proxywatch::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::vector<std::string> lines_starting(const std::string& text,
                                        const std::vector<std::string>& prefixes) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    for (const auto& p : prefixes) {
      if (line.starts_with(p)) out.push_back(line);
    }
  }
  return out;
}

class PackageLintTest : public ::testing::Test {
 protected:
  void SetUp() override {
    deb_ = built_deb();
    mixin_deb_ = built_deb("proxywatch-mixin");
    ASSERT_FALSE(deb_.empty() || mixin_deb_.empty())
        << "no proxywatch and proxywatch-mixin .deb in " << PROXYWATCH_DEB_DIR
        << " (the package_build test makes them)";
  }
  std::string deb_;
  std::string mixin_deb_;
};

TEST_F(PackageLintTest, LintianReportsNoErrorOrWarning) {
  ProcessResult r = run_process({"lintian", "-I", "--pedantic", "--show-overrides",
                                 "--tag-display-limit", "0", deb_, mixin_deb_},
                                {}, 600s);
  ASSERT_FALSE(r.timed_out);
  std::string report = r.out + r.err;
  // Lines are "E: proxywatch: tag ..."; overridden tags start with "O: ".
  EXPECT_EQ(lines_starting(report, {"E: ", "W: "}), std::vector<std::string>{}) << report;
  EXPECT_EQ(r.exit_code, 0) << report;
  // Informational and pedantic tags are allowed; print them so CI logs show them.
  for (const auto& line : lines_starting(report, {"I: ", "P: ", "O: "})) {
    std::cout << "lintian: " << line << "\n";
  }
}

TEST_F(PackageLintTest, OverridesCarryAWrittenReason) {
  fs::path overrides =
      fs::path(PROXYWATCH_SOURCE_DIR) / "packaging/debian/proxywatch.lintian-overrides";
  if (!fs::exists(overrides)) GTEST_SKIP() << "no lintian overrides";
  std::ifstream in(overrides);
  bool reason = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("#") && line.size() > 2) {
      reason = true;
    } else if (!line.empty()) {
      EXPECT_TRUE(reason) << "override without a comment above it: " << line;
      reason = false;
    }
  }
}

TEST_F(PackageLintTest, PackagedBinaryIsHardened) {
  TempDir root("pw-deb-x");
  ProcessResult x = run_process({"dpkg-deb", "-x", deb_, root.path().string()});
  ASSERT_EQ(x.exit_code, 0) << x.err;
  // --nocfprotection: Debian 12's glibc start files carry no IBT/SHSTK property, so no
  // executable of this release can be marked CET-enabled (debian/rules says more).
  ProcessResult r = run_process(
      {"hardening-check", "--nocfprotection", (root.path() / "usr/bin/proxywatch").string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* line :
       {"Position Independent Executable: yes", "Stack protected: yes",
        "Fortify Source functions: yes", "Read-only relocations: yes", "Immediate binding: yes"}) {
    EXPECT_NE(r.out.find(line), std::string::npos) << line << "\n" << r.out;
  }
}

TEST_F(PackageLintTest, HoldsWhatTheOperatorNeeds) {
  ProcessResult r = run_process({"dpkg-deb", "-c", deb_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* path :
       {"./usr/bin/proxywatch", "./lib/systemd/system/proxywatch.service",
        "./etc/default/proxywatch", "./usr/lib/sysusers.d/proxywatch.conf",
        "./etc/proxywatch/proxywatch.yaml", "./usr/share/man/man8/proxywatch.8.gz",
        "./usr/share/man/man5/proxywatch.yaml.5.gz", "./usr/share/man/man8/proxywatch-bundle.8.gz",
        "./usr/lib/systemd/catalog/proxywatch.catalog", "./usr/share/doc/proxywatch/copyright",
        "./usr/share/doc/proxywatch/changelog.gz", "./usr/share/doc/proxywatch/journal.md.gz",
        "./usr/share/doc/proxywatch/examples/capture.conf"}) {
    EXPECT_NE(r.out.find(std::string(path) + "\n"), std::string::npos) << path << "\n" << r.out;
  }
  // The rules and the dashboard are proxywatch-mixin's (RulesAndDashboardAreTheMixinsAlone).
  EXPECT_EQ(r.out.find("./usr/share/proxywatch/"), std::string::npos) << r.out;
  ProcessResult conffiles = run_process({"dpkg-deb", "-I", deb_, "conffiles"});
  std::set<std::string> listed;
  std::istringstream lines(conffiles.out);
  for (std::string line; std::getline(lines, line);) listed.insert(line);
  EXPECT_EQ(listed,
            (std::set<std::string>{"/etc/default/proxywatch", "/etc/proxywatch/proxywatch.yaml"}))
      << conffiles.out;
  ProcessResult control = run_process({"dpkg-deb", "-f", deb_, "Depends", "Maintainer"});
  EXPECT_NE(control.out.find("libc6"), std::string::npos) << control.out;  // ${shlibs:Depends}
  EXPECT_EQ(control.out.find("localhost"), std::string::npos) << control.out;
}

// proxywatch-mixin: the Prometheus rules and the Grafana dashboard of the source tree (not the
// promtool tests), for any architecture, under /usr/share/proxywatch/.
TEST_F(PackageLintTest, RulesAndDashboardAreTheMixinsAlone) {
  ProcessResult r = run_process({"dpkg-deb", "-c", mixin_deb_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::size_t shipped = 0;
  for (const char* folder : {"prometheus", "grafana"}) {
    for (const auto& entry :
         fs::directory_iterator(fs::path(PROXYWATCH_SOURCE_DIR) / "packaging" / folder)) {
      if (!entry.is_regular_file()) continue;  // prometheus/tests/ holds the promtool tests
      const std::string path =
          "./usr/share/proxywatch/" + std::string(folder) + "/" + entry.path().filename().string();
      EXPECT_NE(r.out.find(path + "\n"), std::string::npos) << path << "\n" << r.out;
      ++shipped;
    }
  }
  EXPECT_GE(shipped, 3u);
  EXPECT_EQ(r.out.find("test"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("./usr/bin"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("./usr/share/doc/proxywatch-mixin/copyright\n"), std::string::npos);
  ProcessResult control = run_process({"dpkg-deb", "-f", mixin_deb_, "Architecture", "Package"});
  EXPECT_EQ(control.out, "Architecture: all\nPackage: proxywatch-mixin\n");
}

}  // namespace
}  // namespace proxywatch::testing
