// Creation and caching of TLS client contexts, and the ClientHello padding extension.
#include "common/probe/tls_contexts.h"
#include "common/error.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace proxywatch {
namespace {

namespace ssl = boost::asio::ssl;

constexpr std::uint32_t kDefaultMss = 1460;
// The pad: RFC 8701 §3.1 leaves the contents to the client; zeros.
constexpr std::array<unsigned char, kMaxClientHelloPad> kZeros{};

// The SSL ex_data slot holding a connection's pad size (as an integer in the pointer).
int pad_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// OpenSSL's add callback: sends the extension only on connections given a pad size.
int add_padding(SSL* s, unsigned /*ext_type*/, unsigned /*context*/, const unsigned char** out,
                size_t* outlen, X509* /*x*/, size_t /*chainidx*/, int* /*al*/, void* /*arg*/) {
  auto bytes = reinterpret_cast<std::uintptr_t>(SSL_get_ex_data(s, pad_index()));
  if (bytes == 0) return 0;  // not this connection: leave the extension out
  *out = kZeros.data();
  *outlen = std::min<std::size_t>(bytes, kZeros.size());
  return 1;
}

// Registers the padding extension for ClientHellos only: no server may answer it.
bool register_padding(SSL_CTX* ctx) {
  return SSL_CTX_add_custom_ext(ctx, kPaddingExtensionType, SSL_EXT_CLIENT_HELLO, add_padding,
                                nullptr, nullptr, nullptr, nullptr) == 1;
}

}  // namespace

std::size_t client_hello_pad_bytes(std::uint32_t snd_mss) {
  return std::min<std::size_t>(snd_mss == 0 ? kDefaultMss : snd_mss, kMaxClientHelloPad);
}

bool set_client_hello_padding(SSL* ssl, std::size_t bytes) {
  if (!SSL_CTX_has_client_custom_ext(SSL_get_SSL_CTX(ssl), kPaddingExtensionType)) return false;
  bytes = std::min(bytes, kMaxClientHelloPad);
  return SSL_set_ex_data(ssl, pad_index(), reinterpret_cast<void*>(std::uintptr_t{bytes})) == 1;
}

Result<TlsContexts::ContextPtr> TlsContexts::get(const std::string& ca_file,
                                                 ClientHelloPadding padding) {
  auto key = std::make_pair(ca_file, padding);
  if (auto it = contexts_.find(key); it != contexts_.end()) return it->second;
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  if (ca_file.empty()) {
    ctx->set_default_verify_paths(ec);
  } else {
    ctx->load_verify_file(ca_file, ec);
  }
  if (ec) {
    return error_text("cannot load CA " +
                      (ca_file.empty() ? std::string("store") : "file " + ca_file) + ": " +
                      ec.message());
  }
  ctx->set_verify_mode(ssl::verify_peer);
  if (padding == ClientHelloPadding::kPadded && !register_padding(ctx->native_handle())) {
    return error_text("cannot register the ClientHello padding extension");
  }
  contexts_.emplace(std::move(key), ctx);
  return ctx;
}

}  // namespace proxywatch
