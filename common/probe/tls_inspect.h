// Watching a TLS handshake with the origin: sets SNI and the name to verify, and records what
// the origin presented (version, cipher, leaf subject, issuer, expiry) and why verification
// failed. An inspecting proxy shows here as a leaf issued by someone unexpected.
#pragma once

#include <functional>
#include <string>

#include <openssl/ssl.h>
#include <boost/asio/ssl/verify_context.hpp>
#include <boost/system/error_code.hpp>

#include "common/probe_result.h"

namespace proxywatch {

class TlsObserver {
 public:
  // Prepares `ssl` for a handshake with `host` (SNI unless an IP literal; hostname or IP
  // verification by OpenSSL) and records into `info`, which must outlive the handshake.
  TlsObserver(SSL* ssl, const std::string& host, TlsInfo& info);

  // The verify callback for the stream: records the leaf and the first error, and changes
  // no verdict of OpenSSL's.
  std::function<bool(bool, boost::asio::ssl::verify_context&)> callback();

  // Called once the handshake ended with `ec`: fills in the negotiated parameters and the
  // leaf certificate; after a failed verification, every error of the chain and whether the
  // leaf's dates were its only fault (TlsInfo::date_fault).
  void finish(const boost::system::error_code& ec);

 private:
  SSL* ssl_;
  TlsInfo* info_;
};

// RFC 2253 text of a certificate name.
std::string name_text(const X509_NAME* name);

}  // namespace proxywatch
