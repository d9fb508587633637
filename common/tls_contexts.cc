// Creation and caching of TLS client contexts.
#include "common/tls_contexts.h"

#include <openssl/ssl.h>

namespace proxywatch {

namespace ssl = boost::asio::ssl;

boost::system::result<TlsContexts::ContextPtr, std::string> TlsContexts::get(
    const std::string& ca_file) {
  if (auto it = contexts_.find(ca_file); it != contexts_.end()) return it->second;
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  if (ca_file.empty()) {
    ctx->set_default_verify_paths(ec);
  } else {
    ctx->load_verify_file(ca_file, ec);
  }
  if (ec) {
    return "cannot load CA " + (ca_file.empty() ? std::string("store") : "file " + ca_file) + ": " +
           ec.message();
  }
  ctx->set_verify_mode(ssl::verify_peer);
  contexts_.emplace(ca_file, ctx);
  return ctx;
}

}  // namespace proxywatch
