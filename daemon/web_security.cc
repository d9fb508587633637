// Web configuration → HttpSecurity: OpenSSL loads the certificate chain and key (and checks
// that they belong together) and the client CAs, and is told which client certificates to ask
// for; BasicAuth (common/output/web/basic_auth.h) checks the users.
#include "daemon/web_security.h"

#include <memory>
#include <string>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <boost/asio/ssl/context.hpp>

#include "common/output/web/basic_auth.h"
#include "config/web_config.h"

namespace proxywatch {
namespace {

namespace ssl = boost::asio::ssl;
using config::ClientAuth;

// The verification of RequestClientCert and RequireAnyClientCert: the certificate is taken as
// it is (Go's crypto/tls does not verify it either), only its key's possession is proven by
// the handshake.
int accept_any_certificate(int /*preverified*/, X509_STORE_CTX* /*store*/) {
  return 1;
}

// OpenSSL's last error as text, and the queue cleared.
std::string openssl_reason() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown error";
  const char* reason = ERR_reason_error_string(code);
  return reason ? reason : "error " + std::to_string(code);
}

// client_auth_type → SSL_CTX_set_verify, with Go's semantics: OpenSSL verifies a certificate
// given (against client_ca_file, for a client: its purpose must allow client authentication) and
// fails the handshake with an alert when it does not verify, or when none is given and one is
// required. The CA names go into the certificate request, so a client with several picks one.
Result<void> set_client_auth(SSL_CTX* context, const config::WebConfig& web) {
  if (web.client_auth == ClientAuth::kNone) return {};
  if (!web.client_ca_file.empty()) {
    const std::string where = web.source + ": client_ca_file " + web.client_ca_file + ": ";
    if (SSL_CTX_load_verify_locations(context, web.client_ca_file.c_str(), nullptr) != 1) {
      return error_text(where + openssl_reason());
    }
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(web.client_ca_file.c_str());
    if (names == nullptr) return error_text(where + "no certificate in it");
    SSL_CTX_set_client_CA_list(context, names);
  }
  // Sessions resumed by a client are those of this context (OpenSSL needs the id context
  // once it verifies peers).
  static constexpr unsigned char kSessionContext[] = "proxywatch";
  SSL_CTX_set_session_id_context(context, kSessionContext, sizeof(kSessionContext) - 1);
  const bool verify = web.client_auth == ClientAuth::kVerifyIfGiven ||
                      web.client_auth == ClientAuth::kRequireAndVerify;
  const bool required = web.client_auth == ClientAuth::kRequireAny ||
                        web.client_auth == ClientAuth::kRequireAndVerify;
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER | (required ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
                     verify ? nullptr : accept_any_certificate);
  return {};
}

Result<std::shared_ptr<ssl::context>> tls_context(const config::WebConfig& web) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  // TLS 1.2 and later, as exporter-toolkit's default minimum.
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  context->use_certificate_chain_file(web.cert_file, ec);
  if (ec) return error_text(web.source + ": cert_file " + web.cert_file + ": " + ec.message());
  context->use_private_key_file(web.key_file, ssl::context::pem, ec);
  if (ec) return error_text(web.source + ": key_file " + web.key_file + ": " + ec.message());
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    ERR_clear_error();
    return error_text(web.source + ": key_file " + web.key_file + " does not belong to cert_file " +
                      web.cert_file);
  }
  if (auto set = set_client_auth(context->native_handle(), web); !set) return set.error();
  return context;
}

}  // namespace

Result<HttpSecurity> load_web_security(const std::optional<std::string>& web_config_file) {
  if (!web_config_file) return HttpSecurity{};
  auto web = config::load_web_config(*web_config_file);
  if (!web) return error_text(web.error().to_string());
  return make_web_security(*web);
}

Result<HttpSecurity> make_web_security(const config::WebConfig& web) {
  HttpSecurity security;
  if (web.tls()) {
    auto context = tls_context(web);
    if (!context) return context.error();
    security.tls = std::move(*context);
  }
  if (!web.basic_auth_users.empty()) {
    security.users = std::make_shared<BasicAuth>(web.basic_auth_users);
  }
  return security;
}

std::string describe_web_config(const config::WebConfig& web) {
  std::string text = web.tls() ? "TLS" : "plain HTTP";
  if (web.client_auth != ClientAuth::kNone) {
    text += ", client certificates " + std::string(config::client_auth_name(web.client_auth));
    if (!web.client_ca_file.empty()) text += " (CAs in " + web.client_ca_file + ")";
  }
  const std::size_t users = web.basic_auth_users.size();
  if (users == 0) return text + ", no authentication";
  return text + ", basic authentication (" + std::to_string(users) +
         (users == 1 ? " user)" : " users)");
}

}  // namespace proxywatch
