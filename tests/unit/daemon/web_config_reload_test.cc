// The web configuration's reload (daemon/web_config_reload.h), without a listener: a changed
// certificate is in the next credentials; broken edits (bad YAML, a missing certificate, a key
// of another certificate, TLS removed) keep the last good ones, each counted once however often
// it is asked; unchanged users keep their BasicAuth (and its remembered passwords); the check
// interval bounds how often the files are read, and SIGHUP's reload reads them at once.
#include "daemon/web_config_reload.h"

#include "common/output/web/basic_auth.h"

#include <gtest/gtest.h>

#include <openssl/bn.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace proxywatch {
namespace {

namespace fs = std::filesystem;

// htpasswd -nbB -C 4 prometheus 'se cret:pw€' (as tests/unit/output/web/basic_auth_test.cc).
const std::string kReloadHash = "$2y$04$qsVDvvlPi27qffvaeHvFXuL3H9dKy2zk7yW03uirvC6py00NxvPM2";

// The serial number of the certificate `credentials` serve, in hex ("" without TLS).
std::string reload_serial(const HttpCredentials& credentials) {
  if (!credentials.tls) return "";
  X509* cert = SSL_CTX_get0_certificate(credentials.tls->native_handle());
  if (cert == nullptr) return "";
  BIGNUM* number = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  char* hex = BN_bn2hex(number);
  std::string text(hex);
  OPENSSL_free(hex);
  BN_free(number);
  return text;
}

class WebConfigReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const testing::SharedPki& pki = testing::shared_pki();
    fs::copy_file(pki.localhost.cert_file, dir_.path() / "web.pem");
    fs::copy_file(pki.localhost.key_file, dir_.path() / "web.key");
    fs::copy_file(pki.ca.key_file, dir_.path() / "ca.key");
    fs::create_directory(dir_.path() / "renewed");
    renewed_ =
        testing::make_leaf(pki.ca, dir_.path() / "renewed", "web", {"localhost"}, {"127.0.0.1"});
  }

  // A web configuration with the listener's files and `users` (YAML lines).
  void write_web(const std::string& key_file = "web.key",
                 const std::string& users = "  prometheus: " + kReloadHash + "\n") {
    dir_.write_file("web.yml", "tls_server_config:\n  cert_file: web.pem\n  key_file: " + key_file +
                                   "\nbasic_auth_users:\n" + users);
  }
  std::shared_ptr<WebConfigReload> start(std::chrono::milliseconds interval) {
    auto reload = WebConfigReload::start(
        path(), [this](bool applied) { loads_.push_back(applied); }, interval);
    EXPECT_TRUE(reload) << reload.error();
    return reload ? *reload : nullptr;
  }
  // The renewed certificate and key in place of the first (as a renewal writes them).
  void renew() {
    fs::copy_file(renewed_.cert_file, dir_.path() / "web.pem",
                  fs::copy_options::overwrite_existing);
    fs::copy_file(renewed_.key_file, dir_.path() / "web.key", fs::copy_options::overwrite_existing);
  }
  std::string path() const { return (dir_.path() / "web.yml").string(); }

  testing::TempDir dir_{"pw-web-reload"};
  testing::LeafCertificate renewed_;
  std::vector<bool> loads_;
};

TEST_F(WebConfigReloadTest, ANewCertificateIsTakenAndBrokenEditsKeepTheLastGoodOne) {
  write_web();
  auto reload = start(std::chrono::milliseconds(0));
  ASSERT_TRUE(reload);
  const HttpCredentials first = reload->current();
  const std::string first_serial = reload_serial(first);
  ASSERT_FALSE(first_serial.empty());
  EXPECT_TRUE(loads_.empty()) << "start-up is not a reload";
  EXPECT_EQ(reload->current().tls, first.tls) << "nothing changed: the same context";

  renew();
  const HttpCredentials renewed = reload->current();
  EXPECT_NE(reload_serial(renewed), first_serial);
  EXPECT_EQ(renewed.users, first.users) << "the same users keep their BasicAuth";
  EXPECT_EQ(loads_, std::vector<bool>{true});
  const std::string renewed_serial = reload_serial(renewed);

  const std::vector<std::string> broken = {
      "tls_server_config: [\n",
      "tls_server_config:\n  cert_file: missing.pem\n  key_file: web.key\n",
      "tls_server_config:\n  cert_file: web.pem\n  key_file: ca.key\n",  // another key
      "basic_auth_users:\n  prometheus: " + kReloadHash + "\n",          // TLS removed
  };
  for (const std::string& text : broken) {
    dir_.write_file("web.yml", text);
    const std::size_t before = loads_.size();
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(reload_serial(reload->current()), renewed_serial) << text;
    }
    EXPECT_FALSE(reload->valid()) << text;
    // Once per change, however many connections ask.
    ASSERT_EQ(loads_.size(), before + 1) << text;
    EXPECT_FALSE(loads_.back()) << text;
  }

  write_web("web.key", "  prometheus: " + kReloadHash + "\n  grafana: " + kReloadHash + "\n");
  const HttpCredentials fixed = reload->current();
  EXPECT_TRUE(reload->valid());
  EXPECT_TRUE(loads_.back());
  EXPECT_EQ(reload_serial(fixed), renewed_serial);
  EXPECT_NE(fixed.users, first.users) << "other users: a new BasicAuth";
  // "Basic " + base64("grafana:se cret:pw€"): the new user's password is accepted.
  EXPECT_TRUE(fixed.users->check("Basic Z3JhZmFuYTpzZSBjcmV0OnB34oKs"));
}

TEST_F(WebConfigReloadTest, TheIntervalBoundsTheChecksAndSighupReadsAtOnce) {
  write_web();
  auto reload = start(std::chrono::hours(1));
  ASSERT_TRUE(reload);
  const std::string first_serial = reload_serial(reload->current());
  renew();
  EXPECT_EQ(reload_serial(reload->current()), first_serial) << "not checked again within the hour";
  EXPECT_TRUE(loads_.empty());
  reload->reload(path());
  EXPECT_NE(reload_serial(reload->current()), first_serial);
  EXPECT_EQ(loads_, std::vector<bool>{true});

  // The YAML may name another file on SIGHUP; one without TLS is refused while TLS serves.
  dir_.write_file("plain.yml", "basic_auth_users:\n  prometheus: " + kReloadHash + "\n");
  reload->reload((dir_.path() / "plain.yml").string());
  EXPECT_FALSE(reload->valid());
  EXPECT_NE(reload->current().tls, nullptr);
  reload->reload(std::nullopt);
  EXPECT_FALSE(reload->valid()) << "no web configuration: plain HTTP, needs a restart";
}

TEST_F(WebConfigReloadTest, StartUpErrorsNameTheFile) {
  dir_.write_file("web.yml", "tls_server_config:\n  cert_file: web.pem\n  key_file: ca.key\n");
  auto reload = WebConfigReload::start(path(), {});
  ASSERT_FALSE(reload);
  EXPECT_NE(reload.error().to_string().find("key_file " + (dir_.path() / "ca.key").string()),
            std::string::npos)
      << reload.error();
  auto none = WebConfigReload::start(std::nullopt, {});
  ASSERT_TRUE(none);
  EXPECT_EQ((*none)->current().tls, nullptr);
  EXPECT_EQ((*none)->current().users, nullptr);
}

}  // namespace
}  // namespace proxywatch
