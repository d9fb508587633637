// Tests for config/plan.h: the Plan made from both configuration files, and its printout.
#include "config/plan.h"

#include <gtest/gtest.h>

namespace proxywatch::config {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::string_view kPassword = "S3cr3t!pw";

ProxyFileSettings proxy_settings() {
  auto settings = parse_iprep_proxy_conf(
      "iprep_proxy {\n PROXY_HOST 10.10.10.1;\n PROXY_PORT 80;\n PROXY_USER alice;\n"
      " PROXY_PASSWORD \"S3cr3t!pw\";\n PROXY_EXTRA S3cr3t!pw;\n}\n",
      "/etc/sf/iprep_proxy.conf");
  EXPECT_TRUE(settings) << settings.error().to_string();
  return *settings;
}

DaemonConfig yaml(std::string_view text) {
  auto config = parse_yaml_config(text, "test.yaml");
  EXPECT_TRUE(config) << config.error().to_string();
  return *config;
}

TEST(PlanTest, EveryTargetGetsTheProxyAndItsSettings) {
  Plan plan = make_plan(yaml("targets:\n  - name: tools\n    host: tools.cisco.com\n"
                             "    ca_file: /ca.pem\n    request: HEAD /\n    max_bytes: 10\n"
                             "    interval: 2m\n    timeouts: {dns: 1s}\n    expect: denied\n"
                             "    http_error_fails: false\n"),
                        proxy_settings());
  ASSERT_TRUE(plan.proxy_enabled());
  EXPECT_EQ(plan.proxy, (HostPort{"10.10.10.1", 80}));
  ASSERT_TRUE(plan.credentials);
  EXPECT_EQ(plan.credentials->user, "alice");
  EXPECT_EQ(plan.credentials->password, kPassword);
  ASSERT_EQ(plan.targets.size(), 1u);
  const PlannedTarget& target = plan.targets[0];
  EXPECT_EQ(target.name, "tools");
  EXPECT_EQ(target.interval, minutes(2));
  EXPECT_EQ(target.spec.proxy, (HostPort{"10.10.10.1", 80}));
  EXPECT_EQ(target.spec.target, (HostPort{"tools.cisco.com", 443}));
  EXPECT_EQ(target.spec.ca_file, "/ca.pem");
  EXPECT_EQ(target.spec.request, (HttpRequestSpec{"HEAD", "/"}));
  EXPECT_EQ(target.spec.max_bytes, 10u);
  EXPECT_EQ(target.spec.timeouts.dns, seconds(1));
  EXPECT_EQ(target.spec.timeouts.transfer, PhaseTimeouts{}.transfer);
  EXPECT_TRUE(target.spec.expect_denied);
  EXPECT_FALSE(target.spec.http_error_fails);
  EXPECT_EQ(target.spec.user_agent, "proxywatch/" PROXYWATCH_VERSION);
  ASSERT_TRUE(target.spec.credentials);
  EXPECT_EQ(target.spec.credentials->user, "alice");
  EXPECT_EQ(target.spec.credentials->password, kPassword);
  EXPECT_FALSE(target.spec.refuse_basic);
  Plan strict = make_plan(yaml("refuse_basic_auth: true\n"), proxy_settings());
  for (const PlannedTarget& t : strict.targets) EXPECT_TRUE(t.spec.refuse_basic);
}

TEST(PlanTest, CredentialsFileTakesPrecedenceOverTheProxyFile) {
  LoadedCredentials loaded{{"bob", "s3cret"}, "credentials file /etc/proxywatch/credentials"};
  Plan plan = make_plan(default_config(), proxy_settings(), loaded);
  ASSERT_TRUE(plan.credentials);
  EXPECT_EQ(plan.credentials->user, "bob");
  EXPECT_EQ(plan.targets.at(0).spec.credentials->password, "s3cret");
  std::string text = describe_plan(plan);
  EXPECT_NE(text.find("credentials: user \"bob\" from credentials file "
                      "/etc/proxywatch/credentials (password set)"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("s3cret"), std::string::npos);
}

TEST(PlanTest, NoCredentialsLeavesSpecsWithout) {
  ProxyFileSettings settings;
  settings.proxy = {"10.0.0.1", 80};
  Plan plan = make_plan(default_config(), settings);
  EXPECT_FALSE(plan.credentials);
  EXPECT_FALSE(plan.targets.at(0).spec.credentials);
  EXPECT_NE(describe_plan(plan).find("credentials: none"), std::string::npos);
}

TEST(PlanTest, AbsentProxyFileDisablesTheProxy) {
  Plan plan = make_plan(default_config(), std::nullopt);
  EXPECT_FALSE(plan.proxy_enabled());
  EXPECT_EQ(plan.proxy_file, "/etc/sf/iprep_proxy.conf");
  ASSERT_EQ(plan.targets.size(), 6u);
  EXPECT_EQ(plan.targets[0].spec.proxy, HostPort{});
  EXPECT_EQ(plan.targets[0].spec.target, (HostPort{"tools.cisco.com", 443}));
  EXPECT_EQ(plan.targets[0].service, Service::kLicensing);
  EXPECT_EQ(plan.targets[1].interval, seconds(60));
}

TEST(PlanTest, DescribeShowsProxyAndEveryTarget) {
  Plan plan =
      make_plan(yaml("targets:\n  - {name: tools, host: tools.cisco.com, request: HEAD /}\n"
                     "  - {name: blocked, host: example.org, expect: denied, interval: 5m}\n"),
                proxy_settings());
  std::string text = describe_plan(plan);
  EXPECT_EQ(text,
            "proxy: 10.10.10.1:80 (from /etc/sf/iprep_proxy.conf)\n"
            "credentials: user \"alice\" from /etc/sf/iprep_proxy.conf (password set)\n"
            "warning: /etc/sf/iprep_proxy.conf:6:2: unknown key PROXY_EXTRA in the iprep_proxy "
            "block is ignored\n"
            "targets: 2\n"
            "  custom targets (service custom):\n"
            "    tools: tools.cisco.com:443, every 1m, CONNECT, request HEAD /, expect ok\n"
            "    blocked: example.org:443, every 5m, CONNECT, no request, expect denied\n");
}

TEST(PlanTest, DescribeNeverShowsThePassword) {
  Plan plan = make_plan(default_config(), proxy_settings());
  std::string text = describe_plan(plan);
  EXPECT_NE(text.find("password set"), std::string::npos) << text;
  EXPECT_EQ(text.find(kPassword), std::string::npos) << text;
}

TEST(PlanTest, DescribeSaysWhenTheProxyIsDisabled) {
  std::string text = describe_plan(make_plan(default_config(), std::nullopt));
  EXPECT_EQ(text,
            "proxy: disabled (/etc/sf/iprep_proxy.conf does not exist: FMC has no proxy "
            "configured)\n"
            "targets: 6\n"
            "  Smart Licensing (service licensing):\n"
            "    tools.cisco.com:443: tools.cisco.com:443, every 1m, CONNECT, no request, "
            "expect ok\n"
            "    smartreceiver.cisco.com:443: smartreceiver.cisco.com:443, every 1m, CONNECT, no "
            "request, expect ok\n"
            "  Security Intelligence feed downloads (service security_intelligence):\n"
            "    intelligence.sourcefire.com:443: intelligence.sourcefire.com:443, every 1m, "
            "CONNECT, no request, expect ok\n"
            "  software, VDB and rule updates (service updates):\n"
            "    support.sourcefire.com:443: support.sourcefire.com:443, every 1m, CONNECT, no "
            "request, expect ok\n"
            "    updates.vrt.sourcefire.com:443: updates.vrt.sourcefire.com:443, every 1m, "
            "CONNECT, no request, expect ok\n"
            "    amp.updates.vrt.sourcefire.com:443: amp.updates.vrt.sourcefire.com:443, every 1m, "
            "CONNECT, no request, expect ok\n");
}

}  // namespace
}  // namespace proxywatch::config
