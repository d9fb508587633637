// Tests for the targets of issue 18 in the YAML file: `url:` (plain-HTTP and https targets),
// `method:`, `service:`, the `services:` groups of the FMC's service table
// (config/fmc_services.h), and target URLs as config/target_url.h parses them.
#include <gtest/gtest.h>

#include "config/fmc_services.h"
#include "config/target_url.h"
#include "config/yaml_config.h"
#include "tests/unit/config/yaml_config_checks.h"

namespace proxywatch::config {
namespace {

// Qualified calls: in the unity build other files' using-declarations share this scope.
namespace checks = yaml_checks;

std::vector<std::string> names_of(const DaemonConfig& config) {
  std::vector<std::string> names;
  for (const TargetConfig& t : config.targets) names.push_back(t.name);
  return names;
}

TEST(TargetUrlTest, HttpUrlsGiveHostPortAndPath) {
  auto url = parse_target_url("http://feeds.example.com/si/list.txt?v=2");
  ASSERT_TRUE(url) << url.error();
  EXPECT_EQ(url->scheme, TargetScheme::kHttp);
  EXPECT_EQ(url->target, (HostPort{"feeds.example.com", 80}));
  EXPECT_EQ(url->path, "/si/list.txt?v=2");
  EXPECT_EQ(parse_target_url("HTTP://Feeds.example.com:8080")->target.port, 8080);
  EXPECT_EQ(parse_target_url("http://feeds.example.com")->path, "/");
  EXPECT_EQ(parse_target_url("http://feeds.example.com?x=1")->path, "/?x=1");
  auto v6 = parse_target_url("http://[2001:db8::1]:8080/x");
  ASSERT_TRUE(v6) << v6.error();
  EXPECT_EQ(v6->target, (HostPort{"2001:db8::1", 8080}));
  auto https = parse_target_url("https://tools.cisco.com");
  ASSERT_TRUE(https);
  EXPECT_EQ(https->scheme, TargetScheme::kHttps);
  EXPECT_EQ(https->target, (HostPort{"tools.cisco.com", 443}));
  EXPECT_TRUE(parse_target_url("https://tools.cisco.com:8443/"));
}

TEST(TargetUrlTest, WhatIsNotATargetUrlSaysHowToWriteIt) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"ftp://feeds.example.com/x", "is not a scheme proxywatch probes"},
      {"https://tools.cisco.com/path", "`request: GET /path`"},
      {"http://feeds.example.com/a#top", "fragment"},
      {"http://feeds.example.com/a\tb", "percent-encode"},
      {"http://feeds.exa mple.com/", "the host"},
      {"http://feeds.example.com:99999/", "not a number from 1 to 65535"},
      {"http:///x", "missing host"},
      {"feeds.example.com/x", "is not a URL"},
  };
  for (const auto& [text, words] : cases) {
    auto url = parse_target_url(text);
    ASSERT_FALSE(url) << text;
    EXPECT_NE(url.error().message.find(words), std::string::npos) << url.error();
  }
}

TEST(TargetUrlTest, CredentialsInAUrlAreRefusedWithoutQuotingThem) {
  auto url = parse_target_url("http://alice:Secret-42@feeds.example.com/");
  ASSERT_FALSE(url);
  EXPECT_NE(url.error().message.find("must not carry a user name or password"), std::string::npos);
  EXPECT_EQ(url.error().message.find("Secret-42"), std::string::npos);
  EXPECT_EQ(url.error().message.find("alice"), std::string::npos);
}

TEST(TargetUrlTest, LooksLikeUrlOnlyForSchemeColonSlashSlash) {
  EXPECT_TRUE(looks_like_url("http://x"));
  EXPECT_TRUE(looks_like_url("svn+ssh://x"));
  EXPECT_FALSE(looks_like_url("tools.cisco.com:443"));
  EXPECT_FALSE(looks_like_url("[::1]:443"));
  EXPECT_FALSE(looks_like_url("://x"));
}

TEST(TargetServicesTest, UrlTargetsBecomePlainHttpProbes) {
  DaemonConfig config = checks::parse_ok(
      "targets:\n"
      "  - {name: feed, url: 'http://feeds.example.com/si.txt', service: "
      "security_intelligence}\n"
      "  - {url: 'http://feeds.example.com:8080/x', method: HEAD, expect: denied}\n"
      "  - {url: 'https://tools.cisco.com', request: HEAD /}\n");
  ASSERT_EQ(config.targets.size(), 3u);
  const TargetConfig& feed = config.targets[0];
  EXPECT_EQ(feed.spec.scheme, TargetScheme::kHttp);
  EXPECT_EQ(feed.service, Service::kSecurityIntelligence);
  ASSERT_TRUE(feed.spec.request);
  EXPECT_EQ(feed.spec.request->method, "GET");
  EXPECT_EQ(feed.spec.request->path, "/si.txt");
  EXPECT_EQ(feed.spec.target_text(), "http://feeds.example.com/si.txt");
  const TargetConfig& head = config.targets[1];
  EXPECT_EQ(head.name, "feeds.example.com:8080");
  EXPECT_EQ(head.spec.request->method, "HEAD");
  EXPECT_TRUE(head.spec.expect_denied);
  EXPECT_EQ(head.service, Service::kCustom);
  EXPECT_EQ(head.spec.absolute_uri(), "http://feeds.example.com:8080/x");
  EXPECT_EQ(head.spec.host_header(), "feeds.example.com:8080");
  const TargetConfig& tunnel = config.targets[2];
  EXPECT_EQ(tunnel.spec.scheme, TargetScheme::kHttps);
  EXPECT_EQ(tunnel.spec.target, (HostPort{"tools.cisco.com", 443}));
  EXPECT_EQ(tunnel.spec.request->path, "/");
}

TEST(TargetServicesTest, UrlTargetKeysThatContradictAreErrorsAtTheirPosition) {
  checks::expect_error("targets:\n  - url: http://a.example/\n    host: a.example\n", 3, 11,
                       "targets[0].host", "write either url or host and port");
  checks::expect_error("targets:\n  - url: http://a.example/\n    request: HEAD /\n", 3, 14,
                       "targets[0].request", "is for https targets");
  checks::expect_error("targets:\n  - url: http://a.example/\n    ca_file: /x.pem\n", 3, 14,
                       "targets[0].ca_file", "is for https targets");
  checks::expect_error("targets:\n  - url: https://a.example\n    method: GET\n", 3, 13,
                       "targets[0].method", "is for http:// targets");
  checks::expect_error("targets:\n  - host: a.example\n    method: GET\n", 3, 13,
                       "targets[0].method", "is for url: http:// targets");
  checks::expect_error("targets:\n  - url: http://a.example/\n    method: POST\n", 3, 13,
                       "targets[0].method", "expected HEAD or GET");
  checks::expect_error("targets:\n  - url: ftp://a.example/\n", 2, 10, "targets[0].url",
                       "is not a scheme proxywatch probes");
  checks::expect_error("targets:\n  - host: https://a.example/x\n", 2, 11, "targets[0].host",
                       "is a URL, not a host: write it as `url:");
  checks::expect_error("targets:\n  - host: a.example\n    service: licencing\n", 3, 14,
                       "targets[0].service", "expected licensing, security_intelligence");
}

TEST(TargetServicesTest, ControlCharactersAreRefusedNamingTheKey) {
  checks::expect_error("targets:\n  - host: a.example\n    ca_file: \"/etc/x\\e[2J.pem\"\n", 3, 14,
                       "targets[0].ca_file", "holds a control character");
  checks::expect_error("targets:\n  - host: a.example\n    expect_issuer: \"CN=x\\ny\"\n", 3, 20,
                       "targets[0].expect_issuer", "holds a control character");
  checks::expect_error("targets:\n  - host: a.example\n    request: \"GET /a\\tb\"\n", 3, 14,
                       "targets[0].request", "no white space");
}

TEST(TargetServicesTest, CredentialsInATargetUrlNeverReachTheError) {
  Error error = checks::parse_error("targets:\n  - url: 'http://bob:Hunter2-x@a.example/'\n");
  EXPECT_NE(error.message.find("must not carry a user name or password"), std::string::npos);
  EXPECT_EQ(error.to_string().find("Hunter2-x"), std::string::npos) << error.to_string();
}

TEST(TargetServicesTest, ServicesChooseGroupsOfTheFmcTable) {
  DaemonConfig amp = checks::parse_ok("services: [licensing, amp, amp_eu]\n");
  EXPECT_EQ(names_of(amp), (std::vector<std::string>{
                               "tools.cisco.com:443", "smartreceiver.cisco.com:443",
                               "cloud-sa.amp.cisco.com:443", "cloud-sa.eu.amp.cisco.com:443"}));
  EXPECT_EQ(amp.targets[2].service, Service::kAmp);
  // Written, the services come first, then the listed targets.
  DaemonConfig both = checks::parse_ok(
      "services: [security_intelligence]\n"
      "targets:\n  - {name: feed, url: 'http://feeds.example.com/a', service: "
      "security_intelligence}\n");
  EXPECT_EQ(names_of(both), (std::vector<std::string>{"intelligence.sourcefire.com:443", "feed"}));
  // `targets:` alone keeps its meaning: only the listed targets.
  EXPECT_EQ(names_of(checks::parse_ok("targets:\n  - host: a.example\n")),
            (std::vector<std::string>{"a.example:443"}));
  // `services: []` with targets: no service at all.
  EXPECT_EQ(checks::parse_ok("services: []\ntargets:\n  - host: a.example\n").targets.size(), 1u);
}

TEST(TargetServicesTest, ServiceGroupErrorsNameTheEntry) {
  checks::expect_error("services: [licensing, ampp]\n", 1, 23, "services[1]",
                       "expected one of licensing, security_intelligence, updates, amp, amp_eu, "
                       "amp_apjc");
  checks::expect_error("services: [updates, updates]\n", 1, 21, "services[1]", "listed twice");
  checks::expect_error("services: licensing\n", 1, 11, "services",
                       "expected a list of service groups");
  checks::expect_error("services: []\n", 1, 11, "services", "nothing to probe");
  checks::expect_error("services: [licensing]\ntargets:\n  - host: tools.cisco.com\n", 3, 5,
                       "targets[0]", "already used by the licensing target of `services:`");
}

TEST(TargetServicesTest, TooManyTargetsIsAnErrorNamingTheCap) {
  // The services count too: three of them and kMaxTargets - 2 listed targets are one too many.
  std::string flow = "services: [updates]\ntargets:\n";
  for (std::size_t i = 0; i + 2 < kMaxTargets; ++i)
    flow += "- {host: h" + std::to_string(i) + "}\n";
  checks::expect_error(flow, 3, 1, "targets",
                       "lists 9998 targets besides the services; at most 10000 are allowed");
  // One fewer fits exactly.
  std::string fits = flow.substr(0, flow.rfind("- {host:"));
  EXPECT_EQ(checks::parse_ok(fits).targets.size(), kMaxTargets);
}

TEST(TargetServicesTest, EveryServiceHostIsInAKnownGroupAndService) {
  for (const FmcServiceHost& entry : kFmcServiceHosts) {
    EXPECT_TRUE(is_service_group(entry.group)) << entry.group;
    EXPECT_FALSE(entry.host.empty());
  }
  for (Service service : kAllServices) {
    EXPECT_EQ(service_from_string(to_string(service)), service);
    EXPECT_FALSE(feature_name(service).empty());
  }
  EXPECT_FALSE(service_from_string("Licensing"));
}

}  // namespace
}  // namespace proxywatch::config
