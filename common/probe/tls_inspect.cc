// Recording of the origin's TLS parameters and certificate through OpenSSL's API.
#include "common/probe/tls_inspect.h"

#include <algorithm>
#include <ctime>
#include <memory>
#include <optional>
#include <vector>

#include <openssl/x509v3.h>

#include "common/escape.h"
#include "common/probe_spec.h"

namespace proxywatch {
namespace {

constexpr std::size_t kMaxChainErrors = 8;

std::optional<std::int64_t> epoch_seconds(const ASN1_TIME* time) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(time, &tm) != 1) return std::nullopt;
  return timegm(&tm);
}

void record_leaf(X509* cert, TlsInfo& info) {
  if (cert == nullptr || !info.subject.empty()) return;
  info.subject = name_text(X509_get_subject_name(cert));
  info.issuer = name_text(X509_get_issuer_name(cert));
  info.not_before = epoch_seconds(X509_get0_notBefore(cert));
  info.not_after = epoch_seconds(X509_get0_notAfter(cert));
}

// What the second verification of a chain found: every error, and whether all of them were the
// leaf's dates.
struct ChainErrors {
  std::vector<int> codes;
  bool only_leaf_dates = true;
};

// A verify callback that notes each error and goes on, so one run finds them all.
int note_every_error(int ok, X509_STORE_CTX* store) {
  auto* found = static_cast<ChainErrors*>(X509_STORE_CTX_get_app_data(store));
  if (ok == 1 || found == nullptr) return 1;
  int code = X509_STORE_CTX_get_error(store);
  if (found->codes.size() < kMaxChainErrors) found->codes.push_back(code);
  bool leaf_date = X509_STORE_CTX_get_error_depth(store) == 0 &&
                   (code == X509_V_ERR_CERT_HAS_EXPIRED || code == X509_V_ERR_CERT_NOT_YET_VALID);
  if (!leaf_date) found->only_leaf_dates = false;
  return 1;
}

// Verifies the chain `ssl` was presented once more, as the handshake did (the SSL's store,
// purpose, names), but past every error: the handshake stops at the first, and whether an
// expired leaf has a trusted issuer and the right name is what tells an outdated certificate
// from an inspecting proxy. Never changes the handshake's verdict.
void recheck_chain(SSL* ssl, TlsInfo& info) {
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);  // the client's includes the leaf
  if (chain == nullptr || sk_X509_num(chain) == 0) return;
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> store(X509_STORE_CTX_new(),
                                                                        &X509_STORE_CTX_free);
  X509_STORE* trusted = SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl));
  if (!store || X509_STORE_CTX_init(store.get(), trusted, sk_X509_value(chain, 0), chain) != 1) {
    return;
  }
  X509_STORE_CTX_set_default(store.get(), "ssl_server");
  X509_VERIFY_PARAM_set1(X509_STORE_CTX_get0_param(store.get()), SSL_get0_param(ssl));
  ChainErrors found;
  X509_STORE_CTX_set_app_data(store.get(), &found);
  X509_STORE_CTX_set_verify_cb(store.get(), note_every_error);
  X509_verify_cert(store.get());
  info.chain_errors = found.codes;
  if (found.codes.empty() || !found.only_leaf_dates) return;
  bool expired = std::find(found.codes.begin(), found.codes.end(), X509_V_ERR_CERT_HAS_EXPIRED) !=
                 found.codes.end();
  info.date_fault = expired ? CertDateFault::kExpired : CertDateFault::kNotYetValid;
}

}  // namespace

std::string name_text(const X509_NAME* name) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return {};
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return printable(std::string_view(data, static_cast<size_t>(size)), 400);
}

TlsObserver::TlsObserver(SSL* ssl, const std::string& host, TlsInfo& info)
    : ssl_(ssl), info_(&info) {
  if (is_ip_literal(host)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl_, host.c_str());
    SSL_set1_host(ssl_, host.c_str());
  }
}

std::function<bool(bool, boost::asio::ssl::verify_context&)> TlsObserver::callback() {
  TlsInfo* info = info_;
  return [info](bool preverified, boost::asio::ssl::verify_context& ctx) {
    X509_STORE_CTX* store = ctx.native_handle();
    if (X509_STORE_CTX_get_error_depth(store) == 0) {
      record_leaf(X509_STORE_CTX_get_current_cert(store), *info);
    }
    if (!preverified && info->verify_error.empty()) {
      info->verify_code = X509_STORE_CTX_get_error(store);
      info->verify_error = X509_verify_cert_error_string(info->verify_code);
    }
    return preverified;
  };
}

void TlsObserver::finish(const boost::system::error_code& ec) {
  record_leaf(SSL_get0_peer_certificate(ssl_), *info_);
  if (ec) {
    long verify = SSL_get_verify_result(ssl_);
    if (verify != X509_V_OK && info_->verify_error.empty()) {
      info_->verify_code = static_cast<int>(verify);
      info_->verify_error = X509_verify_cert_error_string(verify);
    }
    if (!info_->verify_error.empty()) recheck_chain(ssl_, *info_);
    return;
  }
  info_->version = SSL_get_version(ssl_);
  info_->cipher = SSL_get_cipher_name(ssl_);
}

}  // namespace proxywatch
