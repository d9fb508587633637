// Recording of the origin's TLS parameters and certificate through OpenSSL's API.
#include "common/probe/tls_inspect.h"

#include <ctime>
#include <memory>

#include <openssl/x509v3.h>

#include "common/escape.h"
#include "common/probe_spec.h"

namespace proxywatch {
namespace {

void record_leaf(X509* cert, TlsInfo& info) {
  if (cert == nullptr || !info.subject.empty()) return;
  info.subject = name_text(X509_get_subject_name(cert));
  info.issuer = name_text(X509_get_issuer_name(cert));
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1) info.not_after = timegm(&tm);
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
      info->verify_error = X509_verify_cert_error_string(X509_STORE_CTX_get_error(store));
    }
    return preverified;
  };
}

void TlsObserver::finish(const boost::system::error_code& ec) {
  record_leaf(SSL_get0_peer_certificate(ssl_), *info_);
  if (ec) {
    long verify = SSL_get_verify_result(ssl_);
    if (verify != X509_V_OK && info_->verify_error.empty()) {
      info_->verify_error = X509_verify_cert_error_string(verify);
    }
    return;
  }
  info_->version = SSL_get_version(ssl_);
  info_->cipher = SSL_get_cipher_name(ssl_);
}

}  // namespace proxywatch
