// The web configuration file (exporter-toolkit's format): TLS files resolved against the file's
// directory, bcrypt users, and errors with line, column and key for what proxywatch cannot serve.
#include "config/web_config.h"

#include <gtest/gtest.h>

#include <vector>

namespace proxywatch::config {
namespace {

const std::string kHash = "$2y$04$qsVDvvlPi27qffvaeHvFXuL3H9dKy2zk7yW03uirvC6py00NxvPM2";

TEST(WebConfigTest, ReadsTlsFilesAndUsers) {
  auto web = parse_web_config(
      "tls_server_config:\n  cert_file: web.crt\n  key_file: /k/web.key\n"
      "basic_auth_users:\n  prometheus: " +
          kHash + "\n",
      "/etc/proxywatch/web.yml");
  ASSERT_TRUE(web) << web.error().to_string();
  EXPECT_TRUE(web->tls());
  EXPECT_EQ(web->cert_file, "/etc/proxywatch/web.crt");  // relative to the file's directory
  EXPECT_EQ(web->key_file, "/k/web.key");
  EXPECT_EQ(web->basic_auth_users.at("prometheus"), kHash);
}

TEST(WebConfigTest, EmptyFileMeansPlainHttpWithoutAuthentication) {
  auto web = parse_web_config("# nothing\n", "web.yml");
  ASSERT_TRUE(web);
  EXPECT_FALSE(web->tls());
  EXPECT_TRUE(web->basic_auth_users.empty());
}

void expect_error(const std::string& text, int line, const std::string& fragment) {
  auto web = parse_web_config(text, "web.yml");
  ASSERT_FALSE(web) << text;
  EXPECT_EQ(web.error().where->line, line) << web.error().to_string();
  EXPECT_NE(web.error().to_string().find(fragment), std::string::npos) << web.error().to_string();
  // A hash never appears in a message.
  EXPECT_EQ(web.error().to_string().find("$2y$"), std::string::npos) << web.error().to_string();
}

TEST(WebConfigTest, BrokenFilesAreLocatedErrors) {
  expect_error("tls_server_config:\n  cert_file: a.crt\n", 2, "needs both cert_file and key_file");
  expect_error("tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [x]\n", 4,
               "cipher_suites: is not supported by proxywatch");
  expect_error("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca: pem\n", 4,
               "client_ca: is not supported by proxywatch");
  expect_error("basic_auth_users:\n  prometheus: secret\n", 2, "expected a bcrypt hash");
  expect_error("basic_auth_users:\n  prometheus: $2y$04$short\n", 2, "expected a bcrypt hash");
  expect_error("tls_config:\n  cert_file: a\n", 1, "unknown key");
  // A cost libcrypt accepts but that would tie a worker up for seconds per wrong password.
  std::string costly = kHash;
  costly.replace(4, 2, "31");
  expect_error("basic_auth_users:\n  prometheus: " + costly + "\n", 2,
               "bcrypt cost 31 is above the ceiling of 14");
  costly.replace(4, 2, "15");
  expect_error("basic_auth_users:\n  prometheus: " + costly + "\n", 2, "bcrypt cost 15");
  costly.replace(4, 2, "1x");
  expect_error("basic_auth_users:\n  prometheus: " + costly + "\n", 2, "expected a bcrypt hash");
  costly.replace(4, 2, "14");
  EXPECT_TRUE(parse_web_config("basic_auth_users:\n  p: " + costly + "\n", "w.yml"));
  expect_error("http_server_config:\n  http2: false\n", 2, "not supported");
  expect_error("tls_server_config: [a\n", 2, "invalid YAML");
  expect_error("tls_server_config:\n  cert_file: " + std::string(100, '[') + "\n", 2,
               "nested deeper than 32 levels at line 2");
  expect_error("basic_auth_users:\n  <<: {prometheus: " + kHash + "}\n", 2,
               "merge keys (<<) are not supported: write the keys out (line 2)");
}

// exporter-toolkit's client_auth_type values (and its alias RequireClientCert), client_ca_file
// resolved like the other files; its rules: a CA file needs a policy other than NoClientCert,
// a verifying policy needs the CA file (exporter-toolkit would fall back to the system's CAs),
// an unknown value is named.
TEST(WebConfigTest, ClientAuthTypesAndTheirRules) {
  const std::string tls = "tls_server_config:\n  cert_file: a\n  key_file: b\n";
  struct Case {
    std::string type;
    ClientAuth auth;
  };
  for (const Case& c :
       std::vector<Case>{{"NoClientCert", ClientAuth::kNone},
                         {"RequestClientCert", ClientAuth::kRequest},
                         {"RequireAnyClientCert", ClientAuth::kRequireAny},
                         {"RequireClientCert", ClientAuth::kRequireAny},
                         {"VerifyClientCertIfGiven", ClientAuth::kVerifyIfGiven},
                         {"RequireAndVerifyClientCert", ClientAuth::kRequireAndVerify}}) {
    const std::string ca = c.auth == ClientAuth::kNone ? "" : "  client_ca_file: ca.pem\n";
    auto web = parse_web_config(tls + "  client_auth_type: " + c.type + "\n" + ca,
                                "/etc/proxywatch/web.yml");
    ASSERT_TRUE(web) << c.type << ": " << web.error().to_string();
    EXPECT_EQ(web->client_auth, c.auth) << c.type;
    if (c.auth != ClientAuth::kNone) {
      EXPECT_EQ(web->client_ca_file, "/etc/proxywatch/ca.pem");
    }
  }
  auto unverified = parse_web_config(tls + "  client_auth_type: RequireAnyClientCert\n", "w.yml");
  ASSERT_TRUE(unverified) << unverified.error().to_string();
  EXPECT_EQ(unverified->client_ca_file, "");
  EXPECT_EQ(client_auth_name(ClientAuth::kRequireAndVerify), "RequireAndVerifyClientCert");

  expect_error(tls + "  client_auth_type: RequireAndVerify\n", 4,
               "client_auth_type: expected NoClientCert, RequestClientCert");
  expect_error(tls + "  client_ca_file: ca.pem\n", 4, "client_auth_type is NoClientCert");
  expect_error(tls + "  client_auth_type: RequireAndVerifyClientCert\n", 4, "needs client_ca_file");
  expect_error(tls + "  client_auth_type: VerifyClientCertIfGiven\n", 4, "needs client_ca_file");
  expect_error("tls_server_config:\n  client_auth_type: RequireAnyClientCert\n", 2,
               "needs both cert_file and key_file");
}

TEST(WebConfigTest, MissingFileIsNotFound) {
  auto web = load_web_config("/nonexistent/web.yml");
  ASSERT_FALSE(web);
  EXPECT_EQ(web.error().kind, Error::Kind::kNotFound);
}

// A user name is the file's: named in a message as a short escaped token unless it is plain,
// so neither raw non-ASCII bytes nor a hash written where a name belongs reach it (found by
// web_config_fuzz).
TEST(WebConfigTest, UserNamesInMessagesAreShortTokens) {
  std::string hash = "$2b$04$" + std::string(53, 'G');
  auto web = parse_web_config("basic_auth_users:\n  " + hash + "\xfe\x99: not-bcrypt\n", "w.yml");
  ASSERT_FALSE(web);
  std::string message = web.error().to_string();
  EXPECT_EQ(message.find(std::string(30, 'G')), std::string::npos) << message;
  for (char c : message) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << message;
  auto plain = parse_web_config("basic_auth_users:\n  prometheus: not-bcrypt\n", "w.yml");
  ASSERT_FALSE(plain);
  EXPECT_NE(plain.error().to_string().find("basic_auth_users.prometheus"), std::string::npos);
}

}  // namespace
}  // namespace proxywatch::config
