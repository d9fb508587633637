// The support bundle's masking: a proxy file whose password holds ';', spaces and quotes, a
// YAML with secrets in block and flow style and in a URL, a web configuration's bcrypt hashes —
// none of their values survives, masked.txt names each line and key and never a value; and the
// last safety net overwrites the password and its base64 in any bytes, same length.
#include "daemon/bundle_mask.h"

#include <gtest/gtest.h>

#include <string>

#include "common/probe/proxy_auth.h"
#include "daemon/bundle_command.h"

namespace proxywatch {
namespace {

const std::string kBundlePassword = R"(Fmc;Secret "99" #x)";

std::string bundle_base64_of_basic() {
  std::string basic = basic_authorization({"alice", kBundlePassword});
  return basic.substr(basic.find(' ') + 1);
}

TEST(BundleMaskTest, ProxyFilePasswordIsMaskedToTheLinesLastSemicolon) {
  std::string file =
      "# PROXY_PASS oldsecret1;\niprep_proxy {\r\n  PROXY_HOST 10.0.0.1;\r\n"
      "  PROXY_USER alice;\r\n  PROXY_PASSWORD " +
      kBundlePassword + ";\r\n  proxy_pasword=typo-secret;\n}\n";
  MaskedText masked = mask_proxy_file(file, "config/iprep_proxy.conf");
  for (const std::string& secret :
       std::vector<std::string>{kBundlePassword, std::string("oldsecret1"),
                                std::string("typo-secret"), std::string("Secret")}) {
    EXPECT_EQ(masked.text.find(secret), std::string::npos) << masked.text;
  }
  EXPECT_NE(masked.text.find("  PROXY_PASSWORD <masked>;\r\n"), std::string::npos) << masked.text;
  EXPECT_NE(masked.text.find("PROXY_HOST 10.0.0.1;"), std::string::npos) << masked.text;
  EXPECT_NE(masked.text.find("PROXY_USER alice;"), std::string::npos) << masked.text;
  std::vector<MaskEntry> expected = {{"config/iprep_proxy.conf", 1, "key PROXY_PASS"},
                                     {"config/iprep_proxy.conf", 5, "key PROXY_PASSWORD"},
                                     {"config/iprep_proxy.conf", 6, "key proxy_pasword"}};
  EXPECT_EQ(masked.masked, expected);
  std::string list = format_masked_list(masked.masked);
  EXPECT_NE(list.find("config/iprep_proxy.conf:5: key PROXY_PASSWORD\n"), std::string::npos);
  EXPECT_EQ(list.find(kBundlePassword), std::string::npos);
}

TEST(BundleMaskTest, YamlSecretsInEveryStyleAreMasked) {
  std::string yaml =
      "proxy_file: /etc/sf/iprep_proxy.conf\n"
      "credentials_file: /etc/proxywatch/credentials\n"
      "refuse_basic_auth: false\n"
      "password: 'single quoted' # note\n"
      "extra: {user: bob, api_token: tok-123, keep: yes}\n"
      "notes:\n"
      "  client_secret: |\n"
      "    block-secret-line\n"
      "targets:\n"
      "  - {name: feed, url: 'http://bob:url-secret@feeds.example.com/si.txt'}\n"
      "basic_auth_users:\n"
      "  prometheus: $2y$10$" +
      std::string(53, 'A') +
      "\n"
      "  grafana: not-bcrypt-but-masked\n"
      "interval: 60s\n";
  MaskedText masked = mask_yaml_file(yaml, "config/proxywatch.yaml");
  for (const std::string& secret :
       std::vector<std::string>{"single quoted", "tok-123", "block-secret-line", "url-secret",
                                "$2y$10$", "not-bcrypt-but-masked"}) {
    EXPECT_EQ(masked.text.find(secret), std::string::npos) << secret << "\n" << masked.text;
  }
  for (const std::string& kept : std::vector<std::string>{
           "credentials_file: /etc/proxywatch/credentials\n", "refuse_basic_auth: false\n",
           "keep: yes}", "user: bob,", "interval: 60s\n", "http://bob:<masked>@feeds"}) {
    EXPECT_NE(masked.text.find(kept), std::string::npos) << kept << "\n" << masked.text;
  }
  std::vector<MaskEntry> expected = {
      {"config/proxywatch.yaml", 4, "key password"},
      {"config/proxywatch.yaml", 5, "key api_token"},
      {"config/proxywatch.yaml", 8, "key client_secret"},
      {"config/proxywatch.yaml", 12, "key basic_auth_users.prometheus"},
      {"config/proxywatch.yaml", 13, "key basic_auth_users.grafana"},
      {"config/proxywatch.yaml", 10, "the password of a URL"}};
  EXPECT_EQ(masked.masked, expected) << format_masked_list(masked.masked);
}

// The safety net, then the whole bundle: README.txt and masked.txt in front, and no byte of the
// password, its base64 or the base64 of user:password anywhere, while lengths stay.
TEST(BundleMaskTest, SafetyNetOverwritesEveryCopyOfTheSecretsWithTheSameLength) {
  auto secrets = secrets_of({{"alice", kBundlePassword}});
  ASSERT_EQ(secrets.size(), 3u);
  std::string pcap = std::string("\xd4\xc3\xb2\xa1", 4) + "Proxy-Authorization: Basic " +
                     bundle_base64_of_basic() + "\r\n" + std::string(3, '\0') + kBundlePassword;
  const std::size_t size = pcap.size();
  BundleContents bundle;
  bundle.add("captures/a.pcap", pcap, "a capture");
  bundle.add("daemon/status.json", "{\"ok\": true}", "status");
  finish_bundle(bundle, secrets, "host", "2026-12-05 07:00:00 UTC", "/etc/x.yaml");
  ASSERT_EQ(bundle.files.size(), 4u);
  EXPECT_EQ(bundle.files[0].name, "README.txt");
  EXPECT_EQ(bundle.files[1].name, "masked.txt");
  const std::string& masked_pcap = bundle.files[2].content;
  EXPECT_EQ(masked_pcap.size(), size);
  for (const Secret& s : secrets) {
    for (const BundleFile& f : bundle.files) {
      EXPECT_EQ(f.content.find(s.bytes), std::string::npos) << s.what << " in " << f.name;
    }
  }
  EXPECT_NE(bundle.files[1].content.find(
                "captures/a.pcap: 1 time the base64 of user:password (overwritten with x"),
            std::string::npos)
      << bundle.files[1].content;
  EXPECT_NE(bundle.files[1].content.find("captures/a.pcap: 1 time the proxy password"),
            std::string::npos)
      << bundle.files[1].content;
  EXPECT_NE(bundle.files[0].content.find("  daemon/status.json"), std::string::npos);
}

}  // namespace
}  // namespace proxywatch
