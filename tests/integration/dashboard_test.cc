// The shipped Grafana dashboard (packaging/grafana/proxywatch.json) and the blackbox_exporter
// recording rules against a real Prometheus scraping a running daemon. Grafana is not packaged
// for Debian, so the dashboard is proven the way Grafana would use it: every template variable's
// query, filled in from the ones before it, lists the appliance's values, and every expression of
// every panel (each phase panel once per phase, as the panel repeats) and every annotation, with
// the variables filled in, returns data without error. The appliance probes a healthy origin, a
// destination its squid denies (acl_block), a negative probe and a download that stalls, and
// reloads its configuration once (the annotation), so every panel has something to show, on the
// daemon's default (lean) series. The one panel that may stay empty is the shared-proxy alert's:
// that alert needs several appliances failing behind one proxy (the fleet test makes it fire);
// here its query must still be valid. Loopback only.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
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
namespace json = boost::json;

// Grafana's own variables, as it would set them for a Prometheus scraped every second.
const std::map<std::string, std::string> kGrafanaVariables = {
    {"$__rate_interval", "10s"}, {"$__interval", "5s"}, {"$__range", "60s"}};

// Panels whose query may rightly return nothing here, and why; their queries must still run.
const std::map<std::string, std::string> kMayBeEmpty = {
    {"Shared proxy failing (alert)",
     "ProxywatchSharedProxyFailing needs >= 3 appliances behind one proxy; this test has one"}};

std::string fill(std::string expr, const std::map<std::string, std::string>& values) {
  for (const auto& [name, value] : values) {
    for (std::size_t at; (at = expr.find(name)) != std::string::npos;) {
      expr.replace(at, name.size(), value);
    }
  }
  return expr;
}

// Grafana's label_values(SELECTOR, LABEL) as the PromQL it stands for.
std::optional<std::pair<std::string, std::string>> label_values(const std::string& query) {
  static const std::regex form(R"(^label_values\((.*),\s*(\w+)\)$)");
  std::smatch m;
  if (!std::regex_match(query, m, form)) return std::nullopt;
  return std::make_pair("count by (" + m[2].str() + ") (" + m[1].str() + ")", m[2].str());
}

class DashboardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    origin_ = std::make_unique<testing::TlsOrigin>();
    const std::string port = std::to_string(origin_->port());
    appliance_ = std::make_unique<testing::Appliance>(testing::Appliance::Options{
        .name = "fmc-a",
        .binary = PROXYWATCH_BINARY,
        .hosts = {{"origin.test", "127.0.0.1"}, {"blocked.test", "127.0.0.1"}},
        .targets_yaml =
            "  - {name: origin, host: origin.test, port: " + port +
            ", ca_file: " + testing::shared_pki().ca.cert_file.string() + ", request: HEAD /}\n" +
            "  - {name: blocked, host: blocked.test, port: " + port + "}\n" +
            "  - {name: acl-check, host: blocked.test, port: " + port + ", expect: denied}\n" +
            // Half its body, then silence: http_stalled, for the stall panel.
            "  - {name: stalling, host: origin.test, port: " + port +
            ", ca_file: " + testing::shared_pki().ca.cert_file.string() +
            ", request: GET /silent/2000, timeouts: {transfer: 2s, stall: 300ms}}\n"});
    ASSERT_EQ(appliance_->deny({"blocked.test"}), "");
    ASSERT_TRUE(appliance_->start_daemon()) << appliance_->daemon_log();
    const std::string shipped = std::string(PROXYWATCH_SOURCE_DIR) + "/packaging/prometheus/";
    prometheus_ = std::make_unique<testing::Prometheus>(
        testing::Prometheus::Options{.rule_files = {shipped + "proxywatch-alerts.yml",
                                                    shipped + "proxywatch-blackbox-compat.yml"}});
    prometheus_->set_targets({{"fmc-a", appliance_->metrics_port()}});
    // Data for the range queries, the diagnosis for its table, and one reload for the annotation.
    ASSERT_TRUE(testing::wait_until(
        [&] { return has_data(R"(proxywatch_diagnosis{instance="fmc-a",diagnosis="acl_block"})"); },
        30s, 200ms))
        << prometheus_->log() << appliance_->daemon_log();
    appliance_->reload_daemon();
    ASSERT_TRUE(testing::wait_until(
        [&] {
          return has_data(
              R"(count_over_time(proxywatch_probe_success{target="origin"}[1m]) >= 15)");
        },
        40s, 500ms));
  }

  bool has_data(const std::string& expr) const {
    const auto answer = prometheus_->query(expr);
    return answer.ok && !answer.result.empty();
  }

  // "" when `expr` answers with data, else what went wrong.
  std::string problem(const std::string& expr, bool instant) const {
    const auto answer =
        instant ? prometheus_->query(expr) : prometheus_->query_range(expr, 60s, 1s);
    if (!answer.ok) return "error: " + answer.error;
    if (answer.result.empty()) return "no data";
    return "";
  }

  std::unique_ptr<testing::TlsOrigin> origin_;
  std::unique_ptr<testing::Appliance> appliance_;
  std::unique_ptr<testing::Prometheus> prometheus_;
};

TEST_F(DashboardTest, EveryVariableAndPanelExpressionReturnsData) {
  const json::value dashboard = json::parse(testing::read_file(
      std::string(PROXYWATCH_SOURCE_DIR) + "/packaging/grafana/proxywatch.json"));
  EXPECT_GE(dashboard.at("schemaVersion").to_number<int>(), 39);

  // The variables in order, each filled from the ones before it; job at its default
  // (proxywatch), instance and proxy set to this appliance's, service and target left at "All"
  // so the denied target's diagnosis shows too. "All" is the dashboard's allValue .+, written
  // ..* here: the support's query string leaves a + as it is, which Prometheus (Go's form
  // decoding) reads as a space.
  std::map<std::string, std::string> values = kGrafanaVariables;
  std::vector<std::string> phases;
  std::set<std::string> names;
  for (const json::value& v : dashboard.at("templating").at("list").as_array()) {
    const std::string name(v.at("name").as_string());
    names.insert(name);
    if (v.at("type") != "query") continue;
    const auto lv = label_values(std::string(v.at("query").at("query").as_string()));
    ASSERT_TRUE(lv) << name << " is not a label_values() query";
    const auto answer = prometheus_->query(fill(lv->first, values));
    ASSERT_TRUE(answer.ok) << name << ": " << answer.error;
    std::set<std::string> listed;
    for (const json::value& r : answer.result) {
      listed.insert(std::string(r.at("metric").at(lv->second).as_string()));
    }
    if (name == "job") {
      EXPECT_EQ(listed, std::set<std::string>{"proxywatch"});
      values["$job"] = "proxywatch";
    } else if (name == "instance") {
      EXPECT_EQ(listed, std::set<std::string>{"fmc-a"});
      values["$instance"] = "fmc-a";
    } else if (name == "proxy") {
      EXPECT_EQ(listed, std::set<std::string>{appliance_->proxy_label()});
      values["$proxy"] = appliance_->proxy_label();
    } else if (name == "service") {
      // The appliance's targets are its own, so their feature is custom.
      EXPECT_EQ(listed, std::set<std::string>{"custom"});
      values["$service"] = "..*";
    } else if (name == "target") {
      EXPECT_EQ(listed, (std::set<std::string>{"acl-check", "blocked", "origin", "stalling"}));
      values["$target"] = "..*";
    } else if (name == "phase") {
      phases.assign(listed.begin(), listed.end());
      EXPECT_TRUE(listed.count("tls_handshake")) << json::serialize(answer.result);
    }
  }
  EXPECT_EQ(names, (std::set<std::string>{"datasource", "job", "instance", "proxy", "service",
                                          "target", "phase"}));

  std::vector<std::string> failures;
  std::size_t checked = 0;
  for (const json::value& panel : dashboard.at("panels").as_array()) {
    if (panel.at("type") == "row") continue;
    const std::string title(panel.at("title").as_string());
    const bool repeats = panel.as_object().contains("repeat");
    for (const json::value& t : panel.at("targets").as_array()) {
      const std::string expr(t.at("expr").as_string());
      const bool instant = t.as_object().contains("instant") && t.at("instant").as_bool();
      for (const std::string& phase : repeats ? phases : std::vector<std::string>{".*"}) {
        values["$phase"] = phase;
        const std::string filled = fill(expr, values);
        if (auto p = problem(filled, instant);
            !p.empty() && !(p == "no data" && kMayBeEmpty.count(title))) {
          failures.push_back(title + " [" + phase + "]: " + p + "\n    " + filled);
        }
        ++checked;
      }
    }
  }
  for (const json::value& a : dashboard.at("annotations").at("list").as_array()) {
    if (!a.as_object().contains("expr")) continue;
    const std::string filled = fill(std::string(a.at("expr").as_string()), values);
    if (auto p = problem(filled, false); !p.empty()) {
      failures.push_back("annotation " + std::string(a.at("name").as_string()) + ": " + p);
    }
    ++checked;
  }
  EXPECT_GE(checked, 20u);
  EXPECT_EQ(failures, std::vector<std::string>{}) << prometheus_->log();
  std::printf("dashboard: %zu panel and annotation expressions returned data\n", checked);

  // The fleet row counts this one appliance right: failing (its denied and stalling targets),
  // behind its proxy, up, at one version.
  const auto fleet = [&](const std::string& title, const std::string& ref, const char* label) {
    std::map<std::string, std::string> out;
    for (const json::value& panel : dashboard.at("panels").as_array()) {
      if (panel.at("title").as_string() != title) continue;
      for (const json::value& t : panel.at("targets").as_array()) {
        if (t.at("refId").as_string() != ref) continue;
        for (const json::value& r :
             prometheus_->query(fill(std::string(t.at("expr").as_string()), values)).result) {
          const auto& metric = r.at("metric").as_object();
          const auto* key = metric.if_contains(label);
          out[key ? std::string(key->as_string()) : ""] =
              std::string(r.at("value").as_array()[1].as_string());
        }
      }
    }
    return out;
  };
  using Counts = std::map<std::string, std::string>;
  EXPECT_EQ(fleet("Appliances by health", "A", "x"), (Counts{{"", "1"}}));  // failing
  EXPECT_EQ(fleet("Appliances by health", "C", "x"), (Counts{{"", "0"}}));  // healthy
  EXPECT_EQ(fleet("Failing appliances by proxy", "A", "proxy"),
            (Counts{{appliance_->proxy_label(), "1"}}));
  EXPECT_EQ(fleet("Failing appliances by FMC feature", "B", "service"), (Counts{{"custom", "1"}}));
  EXPECT_EQ(fleet("Top failing targets across the fleet", "A", "target"),
            (Counts{{"blocked", "1"}, {"stalling", "1"}}));
  EXPECT_EQ(fleet("Appliances down by site", "A", "site"), (Counts{{"", "0"}}));
  EXPECT_EQ(fleet("Versions", "A", "version").size(), 1u);

  // The series one appliance costs Prometheus (docs/fleet.md, "Sizing"): per (proxy, target)
  // pair and for the daemon itself, Prometheus' own up and scrape_* series included.
  const auto count = [&](const std::string& selector) {
    const auto r = prometheus_->query("count(" + selector + ")").result;
    return r.empty() ? std::string("0") : std::string(r[0].at("value").as_array()[1].as_string());
  };
  std::printf(
      "series of fmc-a: %s in all, %s without a target label, per target: %s\n",
      count(R"({instance="fmc-a",__name__!~"ALERTS.*"})").c_str(),
      count(R"({instance="fmc-a",target="",__name__!~"ALERTS.*"})").c_str(),
      json::serialize(
          prometheus_->query(R"(count by (target) ({instance="fmc-a",__name__!~"ALERTS.*"}))")
              .result)
          .c_str());
}

TEST_F(DashboardTest, BlackboxRecordingRulesServeBlackboxPanels) {
  // The queries blackbox_exporter dashboards make, on the recorded names.
  const std::vector<std::string> queries = {
      R"(probe_success{instance="fmc-a/origin"} == 1)",
      R"(probe_success{instance="fmc-a/blocked"} == 0)",
      R"(probe_duration_seconds{instance="fmc-a/origin",appliance="fmc-a",target="origin"} > 0)",
      R"(probe_http_duration_seconds{instance="fmc-a/origin",phase="connect"} > 0)",
      R"(probe_http_duration_seconds{instance="fmc-a/origin",phase="tls"} > 0)",
      R"(probe_http_duration_seconds{instance="fmc-a/origin",phase="processing"} > 0)",
      R"(probe_ssl_earliest_cert_expiry{instance="fmc-a/origin"} - time() > 86400)",
      R"(probe_http_status_code{instance="fmc-a/origin"} == 302)",
  };
  for (const std::string& q : queries) {
    EXPECT_TRUE(testing::wait_until([&] { return has_data(q); }, 10s, 200ms)) << q;
  }
}

}  // namespace
}  // namespace proxywatch
