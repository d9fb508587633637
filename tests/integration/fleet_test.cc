// The fleet, end to end: three appliances (each its own squid, proxy file, YAML, state
// directory and metrics port, running `proxywatch daemon`) scraped by a real Prometheus through
// file-based service discovery with `instance` relabelled to the appliance name, evaluating the
// shipped alert rules and sending to a real Alertmanager, read through its HTTP API.
//
// The shipped rules run with a 1 s scrape and evaluation interval; their `for:` durations are
// divided by 60 to match (rules_with_scaled_for: 5m → 5s), so every alert waits the same number
// of evaluation intervals as in production. The test asserts the issue's bound — an alert reaches
// Alertmanager within its `for:` plus two evaluation intervals of its condition becoming visible
// to Prometheus — and prints the latencies a person sees: ACL switched → firing, ACL fixed →
// resolved, daemon stopped → down alert. Everything listens on loopback; squid resolves the
// origin's name from its hosts file.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "tests/support/appliance.h"
#include "tests/support/prometheus.h"
#include "tests/support/read_file.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_origin.h"
#include "tests/support/wait.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kEval = 1s;     // scrape and evaluation interval of the test's Prometheus
constexpr auto kAclFor = 5s;   // ProxywatchAclBlock's `for: 5m`, scaled
constexpr auto kDownFor = 5s;  // ProxywatchDown's `for: 5m`, scaled
constexpr const char* kNames[] = {"fmc-a", "fmc-b", "fmc-c"};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

class FleetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    origin_ = std::make_unique<testing::TlsOrigin>();
    const std::string target =
        "  - {name: origin, host: origin.test, port: " + std::to_string(origin_->port()) +
        ", ca_file: " + testing::shared_pki().ca.cert_file.string() + "}\n";
    std::vector<testing::ScrapeTarget> scrape_targets;
    for (const char* name : kNames) {
      appliances_.push_back(std::make_unique<testing::Appliance>(
          testing::Appliance::Options{.name = name,
                                      .binary = PROXYWATCH_BINARY,
                                      .hosts = {{"origin.test", "127.0.0.1"}},
                                      .targets_yaml = target}));
      ASSERT_TRUE(appliances_.back()->start_daemon()) << appliances_.back()->daemon_log();
      scrape_targets.push_back({name, appliances_.back()->metrics_port()});
    }
    const std::string shipped = std::string(PROXYWATCH_SOURCE_DIR) + "/packaging/prometheus/";
    const auto rules = rules_dir_.write_file(
        "proxywatch-alerts.yml",
        testing::rules_with_scaled_for(testing::read_file(shipped + "proxywatch-alerts.yml")));
    alertmanager_ = std::make_unique<testing::Alertmanager>();
    prometheus_ = std::make_unique<testing::Prometheus>(testing::Prometheus::Options{
        .rule_files = {rules, shipped + "proxywatch-blackbox-compat.yml"},
        .alertmanager_port = alertmanager_->port(),
        .interval = std::chrono::duration_cast<std::chrono::seconds>(kEval)});
    prometheus_->set_targets(scrape_targets);
    // All three scraped, each healthy, before anything is switched.
    ASSERT_TRUE(testing::wait_until(
        [&] {
          return prometheus_->query(R"(proxywatch_health_state{state="healthy"} == 1)")
                     .result.size() == 3;
        },
        30s, 200ms))
        << prometheus_->log();
  }

  testing::Appliance& appliance(std::string_view name) {
    for (auto& a : appliances_) {
      if (a->name() == name) return *a;
    }
    throw std::logic_error("no appliance " + std::string(name));
  }

  // Alertmanager's alerts named `alertname`, by instance; {"<no answer>"} if it did not answer,
  // so that a failed request never passes for "no alerts".
  std::vector<std::string> alerting_instances(const std::string& alertname) const {
    const auto alerts = alertmanager_->alerts();
    if (!alerts) return {"<no answer>"};
    std::vector<std::string> instances;
    for (const auto& a : *alerts) {
      if (a.labels.count("alertname") && a.labels.at("alertname") == alertname) {
        instances.push_back(a.labels.count("instance") ? a.labels.at("instance") : "");
      }
    }
    return instances;
  }

  // Names of every alert Alertmanager holds for `instance`.
  std::vector<std::string> alerts_of(const std::string& instance) const {
    const auto alerts = alertmanager_->alerts();
    if (!alerts) return {"<no answer>"};
    std::vector<std::string> names;
    for (const auto& a : *alerts) {
      if (a.labels.count("instance") && a.labels.at("instance") == instance) {
        names.push_back(a.labels.at("alertname"));
      }
    }
    return names;
  }

  // Whether Prometheus has a sample of `selector` now.
  bool prometheus_sees(const std::string& selector) const {
    return !prometheus_->query(selector).result.empty();
  }

  std::string context() const {
    std::string text = "prometheus alerts: " + boost::json::serialize(prometheus_->alerts());
    for (const auto& a : appliances_) text += "\n--- " + a->name() + ":\n" + a->daemon_log();
    return text + "\n--- alertmanager:\n" + alertmanager_->log();
  }

  testing::TempDir rules_dir_{"pw-fleet-rules"};
  std::unique_ptr<testing::TlsOrigin> origin_;
  std::vector<std::unique_ptr<testing::Appliance>> appliances_;
  std::unique_ptr<testing::Alertmanager> alertmanager_;
  std::unique_ptr<testing::Prometheus> prometheus_;
};

TEST_F(FleetTest, AclDenyOnOneApplianceAlertsForItAloneAndResolves) {
  using Strings = std::vector<std::string>;
  EXPECT_EQ(alerting_instances("ProxywatchAclBlock"), Strings{});

  const auto flipped = Clock::now();
  ASSERT_EQ(appliance("fmc-b").deny({"origin.test"}), "");
  const std::string diagnosis = R"(proxywatch_diagnosis{diagnosis="acl_block",instance="fmc-b"})";
  ASSERT_TRUE(testing::wait_until([&] { return prometheus_sees(diagnosis); }, 30s, 100ms))
      << context();
  const auto visible = Clock::now();
  const double flip_to_visible = seconds_since(flipped);
  ASSERT_TRUE(testing::wait_until(
      [&] { return alerting_instances("ProxywatchAclBlock") == Strings{"fmc-b"}; },
      kAclFor + 2 * kEval, 100ms))
      << context();
  const double visible_to_firing = seconds_since(visible);
  const double flip_to_firing = seconds_since(flipped);
  // Only fmc-b: its ACL alert and nothing else anywhere but on fmc-b.
  EXPECT_EQ(alerts_of("fmc-a"), Strings{});
  EXPECT_EQ(alerts_of("fmc-c"), Strings{});

  const auto fixed = Clock::now();
  ASSERT_EQ(appliance("fmc-b").deny({}), "");
  ASSERT_TRUE(testing::wait_until([&] { return alerting_instances("ProxywatchAclBlock").empty(); },
                                  30s, 100ms))
      << context();
  const double fix_to_resolved = seconds_since(fixed);
  EXPECT_EQ(alerts_of("fmc-a"), Strings{});
  EXPECT_EQ(alerts_of("fmc-c"), Strings{});

  std::printf(
      "fleet latency: ACL flip -> ProxywatchAclBlock firing %.1f s (flip -> diagnosis in "
      "Prometheus %.1f s, then -> firing %.1f s; bound for + 2 evaluations = %.0f s); "
      "ACL fixed -> resolved %.1f s\n",
      flip_to_firing, flip_to_visible, visible_to_firing,
      std::chrono::duration<double>(kAclFor + 2 * kEval).count(), fix_to_resolved);
  RecordProperty("acl_flip_to_firing_s", std::to_string(flip_to_firing));
  RecordProperty("acl_fix_to_resolved_s", std::to_string(fix_to_resolved));
}

TEST_F(FleetTest, StoppedDaemonFiresDownForItAlone) {
  using Strings = std::vector<std::string>;
  EXPECT_EQ(alerting_instances("ProxywatchDown"), Strings{});

  const auto stopped = Clock::now();
  appliance("fmc-c").stop_daemon();
  ASSERT_TRUE(testing::wait_until([&] { return prometheus_sees(R"(up{instance="fmc-c"} == 0)"); },
                                  5s, 100ms))
      << context();
  const auto visible = Clock::now();
  ASSERT_TRUE(
      testing::wait_until([&] { return alerting_instances("ProxywatchDown") == Strings{"fmc-c"}; },
                          kDownFor + 2 * kEval, 100ms))
      << context();
  const double stop_to_down = seconds_since(stopped);
  const double visible_to_down = seconds_since(visible);
  EXPECT_EQ(alerts_of("fmc-a"), Strings{});
  EXPECT_EQ(alerts_of("fmc-b"), Strings{});

  std::printf(
      "fleet latency: daemon stop -> ProxywatchDown firing %.1f s (up == 0 in Prometheus -> "
      "firing %.1f s; bound for + 2 evaluations = %.0f s)\n",
      stop_to_down, visible_to_down, std::chrono::duration<double>(kDownFor + 2 * kEval).count());
  RecordProperty("stop_to_down_s", std::to_string(stop_to_down));
}

}  // namespace
}  // namespace proxywatch
