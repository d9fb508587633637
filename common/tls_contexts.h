// TLS client contexts shared by probes. Building an SSL_CTX and loading a CA store costs
// milliseconds; a probe must cost a fraction of that, so contexts are made once per CA file
// and reused. Not thread-safe: owned by the io_context thread that runs the probes.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/result.hpp>

namespace proxywatch {

class TlsContexts {
 public:
  using ContextPtr = std::shared_ptr<boost::asio::ssl::context>;

  // The client context trusting `ca_file` (a PEM bundle), or the system store when empty.
  // Fails with OpenSSL's reason when the file cannot be loaded.
  boost::system::result<ContextPtr, std::string> get(const std::string& ca_file);

  // Forgets every context (after a reload, so changed CA files are read again).
  void clear() { contexts_.clear(); }

 private:
  std::map<std::string, ContextPtr> contexts_;
};

}  // namespace proxywatch
