// The shipped Prometheus rules (packaging/prometheus/) checked with Debian's promtool: `check
// rules` accepts them, and `test rules` runs their unit tests, which must hold a firing case for
// every alert, a case where it does not fire and one after it has resolved. Also: every alert
// carries the labels and annotations the fleet's routing expects, its runbook_url is an http(s)
// link to its own page of the runbook the daemon serves (packaging/mixin/runbook.html), and the
// fleet test's scaling of `for:` does what its contract says. The rules are generated
// (packaging/mixin/generate.py); tests/mixin/ tests the generator and lints them.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "tests/support/process.h"
#include "tests/support/prometheus.h"
#include "tests/support/read_file.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;

const std::string kDir = std::string(PROXYWATCH_SOURCE_DIR) + "/packaging/prometheus/";
const std::string kAlerts = kDir + "proxywatch-alerts.yml";
const std::string kCompat = kDir + "proxywatch-blackbox-compat.yml";

std::vector<YAML::Node> alert_rules() {
  std::vector<YAML::Node> rules;
  for (const auto& group : YAML::LoadFile(kAlerts)["groups"]) {
    for (const auto& rule : group["rules"]) {
      if (rule["alert"]) rules.push_back(rule);
    }
  }
  return rules;
}

TEST(AlertRulesTest, PromtoolCheckRulesAcceptsThem) {
  const auto r = testing::run_process({"promtool", "check", "rules", kAlerts, kCompat}, {}, 60s);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("SUCCESS: 26 rules found"), std::string::npos) << r.out;
}

TEST(AlertRulesTest, PromtoolUnitTestsPass) {
  const auto r = testing::run_process({"promtool", "test", "rules", kDir + "tests/alerts_test.yml",
                                       kDir + "tests/blackbox_compat_test.yml"},
                                      {}, 120s);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(AlertRulesTest, EveryAlertIsTestedFiringNotFiringAndResolved) {
  // Per alert: the eval times at which a test expects it to fire, and those at which a test
  // expects no alert of that name.
  std::map<std::string, std::vector<std::string>> firing, silent;
  for (const auto& test : YAML::LoadFile(kDir + "tests/alerts_test.yml")["tests"]) {
    for (const auto& check : test["alert_rule_test"]) {
      const auto name = check["alertname"].as<std::string>();
      auto& bucket = check["exp_alerts"].size() > 0 ? firing : silent;
      bucket[name].push_back(check["eval_time"].as<std::string>());
    }
  }
  for (const auto& rule : alert_rules()) {
    const auto name = rule["alert"].as<std::string>();
    EXPECT_GE(firing[name].size(), 1u) << name << " has no firing case";
    // One silent case before it fires (pending, or never true) and one after (resolved).
    EXPECT_GE(silent[name].size(), 2u) << name << " lacks a not-firing or a resolved case";
  }
}

TEST(AlertRulesTest, EveryAlertHasSeverityCauseSummaryDescriptionAndALiveRunbook) {
  const std::string runbook_page =
      testing::read_file(std::string(PROXYWATCH_SOURCE_DIR) + "/packaging/mixin/runbook.html");
  const std::regex runbook(R"(^https?://.*/runbook/([A-Za-z]+)$)");
  const std::set<std::string> severities = {"critical", "warning", "info"};
  for (const auto& rule : alert_rules()) {
    const auto name = rule["alert"].as<std::string>();
    EXPECT_TRUE(severities.count(rule["labels"]["severity"].as<std::string>(""))) << name;
    EXPECT_FALSE(rule["labels"]["cause"].as<std::string>("").empty()) << name;
    EXPECT_FALSE(rule["annotations"]["summary"].as<std::string>("").empty()) << name;
    EXPECT_FALSE(rule["annotations"]["description"].as<std::string>("").empty()) << name;
    const auto url = rule["annotations"]["runbook_url"].as<std::string>("");
    std::smatch m;
    ASSERT_TRUE(std::regex_match(url, m, runbook)) << name << ": " << url;
    EXPECT_EQ(m[1].str(), name) << url;
    EXPECT_NE(runbook_page.find("<section id=\"" + name + "\">"), std::string::npos)
        << "the runbook has no section for " << name;
  }
}

TEST(ScaledRulesTest, DividesEveryTimingByTheFactorAndNothingElse) {
  // The fleet test's scaling (tests/support/prometheus.h): every `for:` and rule-group
  // `interval:` of the rules, every timer of the Alertmanager example, in milliseconds.
  const std::string scaled = testing::scale_durations(testing::read_file(kAlerts), 10);
  EXPECT_EQ(scaled.find("for: 2m"), std::string::npos);
  EXPECT_NE(scaled.find("for: 12000ms"), std::string::npos);
  EXPECT_NE(scaled.find("for: 360000ms"), std::string::npos);  // the certificate's for: 1h
  EXPECT_NE(scaled.find("interval: 1500ms"), std::string::npos);
  std::istringstream a(testing::read_file(kAlerts)), b(scaled);
  int changed = 0;
  for (std::string x, y; std::getline(a, x) && std::getline(b, y);) {
    if (x != y) {
      ++changed;
      EXPECT_TRUE(x.find("for: ") != std::string::npos || x.find("interval: ") != std::string::npos)
          << x;
    }
  }
  // Every alert but ProxywatchSharedProxyFailing, ProxywatchAclNotEnforced and
  // ProxywatchLocalErrors has a for:; three rule groups have an interval.
  EXPECT_EQ(changed, 18 + 3);
  const std::string routing =
      testing::scale_durations(testing::read_file(std::string(PROXYWATCH_SOURCE_DIR) +
                                                  "/packaging/alertmanager/alertmanager.yml"),
                               10);
  EXPECT_NE(routing.find("group_wait: 500ms"), std::string::npos) << routing;
  EXPECT_NE(routing.find("group_interval: 30000ms"), std::string::npos) << routing;
  EXPECT_NE(routing.find("repeat_interval: 1440000ms"), std::string::npos) << routing;
  EXPECT_THROW(testing::scale_durations("    for: 1h30m\n", 10), std::runtime_error);
  EXPECT_EQ(testing::scale_durations("    for: 90s\n", 10), "    for: 9000ms\n");
}

}  // namespace
}  // namespace proxywatch
