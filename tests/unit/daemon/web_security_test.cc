// The listener's security from web_config_file: none without a file; a TLS server context
// (TLS 1.2 at least) from a certificate and its key; basic authentication against the bcrypt
// users; and every unusable file or pair a start-up error naming the file and the problem.
// The certificates are the shared test PKI's.
#include "daemon/web_security.h"

#include "common/output/web/basic_auth.h"

#include <gtest/gtest.h>

#include <openssl/ssl.h>

#include <string>
#include <vector>

#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace proxywatch {
namespace {

// htpasswd -nbB -C 4 prometheus 'se cret:pw€' (as tests/unit/output/web/basic_auth_test.cc).
const std::string kHash = "$2y$04$qsVDvvlPi27qffvaeHvFXuL3H9dKy2zk7yW03uirvC6py00NxvPM2";
// "Basic " + base64("prometheus:se cret:pw€"), and the same without the last character.
const std::string kRight = "Basic cHJvbWV0aGV1czpzZSBjcmV0OnB34oKs";
const std::string kWrong = "Basic cHJvbWV0aGV1czpzZSBjcmV0OnB3";

class WebSecurityTest : public ::testing::Test {
 protected:
  // Writes web.yml with `text` and loads it.
  Result<HttpSecurity> load(const std::string& text) {
    return load_web_security(dir_.write_file("web.yml", text).string());
  }
  static std::string tls_config(const std::string& cert, const std::string& key) {
    return "tls_server_config:\n  cert_file: " + cert + "\n  key_file: " + key + "\n";
  }

  const testing::SharedPki& pki_ = testing::shared_pki();
  testing::TempDir dir_{"pw-web-security"};
};

TEST_F(WebSecurityTest, NoFileMeansPlainHttpWithoutAuthentication) {
  auto security = load_web_security(std::nullopt);
  ASSERT_TRUE(security) << security.error();
  EXPECT_EQ(security->tls, nullptr);
  EXPECT_FALSE(security->users);
}

TEST_F(WebSecurityTest, EmptyFileMeansPlainHttpWithoutAuthentication) {
  auto security = load("# nothing yet\n");
  ASSERT_TRUE(security) << security.error();
  EXPECT_EQ(security->tls, nullptr);
  EXPECT_FALSE(security->users);
}

TEST_F(WebSecurityTest, CertificateAndKeyGiveATlsContextOfAtLeastTls12) {
  auto security = load(tls_config(pki_.localhost.cert_file, pki_.localhost.key_file));
  ASSERT_TRUE(security) << security.error();
  ASSERT_NE(security->tls, nullptr);
  SSL_CTX* context = security->tls->native_handle();
  EXPECT_EQ(SSL_CTX_get_min_proto_version(context), TLS1_2_VERSION);
  EXPECT_NE(SSL_CTX_get0_certificate(context), nullptr);
  EXPECT_FALSE(security->users) << "TLS alone asks for no password";
}

TEST_F(WebSecurityTest, UsersGiveBasicAuthenticationAgainstTheirHashes) {
  auto security = load("basic_auth_users:\n  prometheus: " + kHash + "\n");
  ASSERT_TRUE(security) << security.error();
  EXPECT_EQ(security->tls, nullptr) << "users alone do not need TLS";
  ASSERT_TRUE(security->users);
  EXPECT_TRUE(security->users->check(kRight));
  EXPECT_FALSE(security->users->check(kWrong));
  EXPECT_FALSE(security->users->check(""));
  EXPECT_FALSE(security->users->check("Bearer cHJvbWV0aGV1czpzZSBjcmV0OnB34oKs"));
}

TEST_F(WebSecurityTest, TlsAndUsersTogether) {
  auto security = load(tls_config(pki_.localhost.cert_file, pki_.localhost.key_file) +
                       "basic_auth_users:\n  prometheus: " + kHash + "\n");
  ASSERT_TRUE(security) << security.error();
  EXPECT_NE(security->tls, nullptr);
  ASSERT_TRUE(security->users);
  EXPECT_TRUE(security->users->check(kRight));
}

TEST_F(WebSecurityTest, AbsentFileIsAnErrorNamingIt) {
  const std::string path = (dir_.path() / "missing.yml").string();
  auto security = load_web_security(path);
  ASSERT_FALSE(security);
  EXPECT_NE(security.error().to_string().find(path), std::string::npos) << security.error();
  EXPECT_NE(security.error().to_string().find("does not exist"), std::string::npos)
      << security.error();
}

TEST_F(WebSecurityTest, InvalidFileIsAnErrorWithItsPosition) {
  auto security = load("tls_server_config:\n  cert_file: web.pem\n");
  ASSERT_FALSE(security);
  EXPECT_NE(security.error().to_string().find((dir_.path() / "web.yml").string() + ":"),
            std::string::npos)
      << security.error();
  EXPECT_NE(security.error().to_string().find("needs both cert_file and key_file"),
            std::string::npos)
      << security.error();
}

TEST_F(WebSecurityTest, MissingCertificateIsAnErrorNamingTheFile) {
  const std::string missing = (dir_.path() / "missing.pem").string();
  auto security = load(tls_config(missing, pki_.localhost.key_file));
  ASSERT_FALSE(security);
  EXPECT_NE(security.error().to_string().find("cert_file " + missing + ": "), std::string::npos)
      << security.error();
}

TEST_F(WebSecurityTest, UnreadableKeyIsAnErrorNamingTheFile) {
  const std::string not_a_key = dir_.write_file("web.key", "not PEM at all\n").string();
  auto security = load(tls_config(pki_.localhost.cert_file, not_a_key));
  ASSERT_FALSE(security);
  EXPECT_NE(security.error().to_string().find("key_file " + not_a_key + ": "), std::string::npos)
      << security.error();
}

TEST_F(WebSecurityTest, KeyOfAnotherCertificateIsRefused) {
  // The CA's key with the leaf's certificate: OpenSSL refuses the key as it loads it.
  auto security = load(tls_config(pki_.localhost.cert_file, pki_.ca.key_file));
  ASSERT_FALSE(security);
  EXPECT_NE(security.error().to_string().find("key_file " + pki_.ca.key_file.string() + ": "),
            std::string::npos)
      << security.error();
  EXPECT_NE(security.error().to_string().find("key values mismatch"), std::string::npos)
      << security.error();
}

// client_auth_type as OpenSSL's verify mode: asked for from RequestClientCert on, required by
// the Require* ones; the CA file's subjects are named in the certificate request.
TEST_F(WebSecurityTest, ClientAuthTypesSetTheVerifyModeAndTheClientCas) {
  const std::string tls = tls_config(pki_.localhost.cert_file, pki_.localhost.key_file);
  const std::string ca = "  client_ca_file: " + pki_.ca.cert_file.string() + "\n";
  struct Case {
    std::string type;
    int mode;
  };
  for (const Case& c : std::vector<Case>{
           {"NoClientCert", SSL_VERIFY_NONE},
           {"RequestClientCert", SSL_VERIFY_PEER},
           {"RequireAnyClientCert", SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT},
           {"VerifyClientCertIfGiven", SSL_VERIFY_PEER},
           {"RequireAndVerifyClientCert", SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT}}) {
    auto security =
        load(tls + "  client_auth_type: " + c.type + "\n" + (c.mode == SSL_VERIFY_NONE ? "" : ca));
    ASSERT_TRUE(security) << c.type << ": " << security.error();
    SSL_CTX* context = security->tls->native_handle();
    EXPECT_EQ(SSL_CTX_get_verify_mode(context), c.mode) << c.type;
    const STACK_OF(X509_NAME)* names = SSL_CTX_get_client_CA_list(context);
    EXPECT_EQ(names ? sk_X509_NAME_num(names) : 0, c.mode == SSL_VERIFY_NONE ? 0 : 1) << c.type;
  }
}

TEST_F(WebSecurityTest, UnusableClientCaFileIsAnErrorNamingIt) {
  const std::string tls = tls_config(pki_.localhost.cert_file, pki_.localhost.key_file) +
                          "  client_auth_type: RequireAndVerifyClientCert\n";
  const std::string missing = (dir_.path() / "missing-ca.pem").string();
  auto absent = load(tls + "  client_ca_file: " + missing + "\n");
  ASSERT_FALSE(absent);
  EXPECT_NE(absent.error().to_string().find("client_ca_file " + missing + ": "), std::string::npos)
      << absent.error();
  const std::string empty = dir_.write_file("empty-ca.pem", "no certificate here\n").string();
  auto no_certificate = load(tls + "  client_ca_file: " + empty + "\n");
  ASSERT_FALSE(no_certificate);
  EXPECT_NE(no_certificate.error().to_string().find("client_ca_file " + empty + ": "),
            std::string::npos)
      << no_certificate.error();
}

TEST_F(WebSecurityTest, UserWithoutABcryptHashIsRefused) {
  auto security = load("basic_auth_users:\n  prometheus: plaintext\n");
  ASSERT_FALSE(security);
  EXPECT_NE(security.error().to_string().find("expected a bcrypt hash"), std::string::npos)
      << security.error();
  EXPECT_EQ(security.error().to_string().find("plaintext"), std::string::npos)
      << "never quotes a hash";
}

}  // namespace
}  // namespace proxywatch
