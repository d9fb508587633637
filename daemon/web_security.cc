// Web configuration → HttpSecurity: OpenSSL loads the certificate chain and key (and checks
// that they belong together); BasicAuth (common/output/web/basic_auth.h) checks the users.
#include "daemon/web_security.h"

#include <memory>

#include <openssl/err.h>
#include <boost/asio/ssl/context.hpp>

#include "common/output/web/basic_auth.h"
#include "config/web_config.h"

namespace proxywatch {
namespace {

namespace ssl = boost::asio::ssl;

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
  return context;
}

}  // namespace

Result<HttpSecurity> load_web_security(const std::optional<std::string>& web_config_file) {
  HttpSecurity security;
  if (!web_config_file) return security;
  auto web = config::load_web_config(*web_config_file);
  if (!web) return error_text(web.error().to_string());
  if (web->tls()) {
    auto context = tls_context(*web);
    if (!context) return context.error();
    security.tls = std::move(*context);
  }
  if (!web->basic_auth_users.empty()) {
    security.users = std::make_shared<BasicAuth>(web->basic_auth_users);
  }
  return security;
}

}  // namespace proxywatch
