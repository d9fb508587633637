// TLS client contexts shared by probes. Building an SSL_CTX and loading a CA store costs
// milliseconds; a probe must cost a fraction of that, so contexts are made once per CA file
// (and padding choice) and reused. Not thread-safe: owned by the io_context thread that runs the
// probes.
//
// A padded context serves the outbound MTU probe (DESIGN.md, mtu_suspected): its ClientHello
// can carry an extra extension that makes it longer than one full-size TCP segment. The size is
// chosen per connection (set_client_hello_padding), because it follows the MSS that connection
// got. Normal probes use contexts without the extension, so their handshakes are unchanged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/result.hpp>

#include "common/error.h"

namespace proxywatch {

// Whether a context's ClientHellos can be padded (see set_client_hello_padding).
enum class ClientHelloPadding { kNone, kPadded };

// The padding extension's type: a GREASE value (RFC 8701 §2). Servers must ignore unknown
// extensions, and §3.1 lets clients send GREASE extensions "with varying length and contents",
// so unlike an unassigned number it can never collide with a future assignment.
inline constexpr unsigned kPaddingExtensionType = 0x4a4a;

// The largest pad: the ClientHello still fits one TLS record (16384 bytes, RFC 8446 §5.1),
// which some middleboxes insist on; it exceeds every MSS below jumbo frames.
inline constexpr std::size_t kMaxClientHelloPad = 15000;

// Pad bytes that push a ClientHello past one full-size segment on a connection whose send MSS
// is `snd_mss` (0 when unknown, taken as Ethernet's 1460): the pad alone fills a segment.
std::size_t client_hello_pad_bytes(std::uint32_t snd_mss);

// Makes the next ClientHello of `ssl` carry `bytes` bytes of padding extension (at most
// kMaxClientHelloPad). False when `ssl` was not made from a padded context.
bool set_client_hello_padding(SSL* ssl, std::size_t bytes);

class TlsContexts {
 public:
  using ContextPtr = std::shared_ptr<boost::asio::ssl::context>;

  // The client context trusting `ca_file` (a PEM bundle), or the system store when empty, with
  // the padding extension registered when `padding` is kPadded. Fails with OpenSSL's reason when
  // the file cannot be loaded.
  Result<ContextPtr> get(const std::string& ca_file,
                         ClientHelloPadding padding = ClientHelloPadding::kNone);

  // Forgets every context (after a reload, so changed CA files are read again).
  void clear() { contexts_.clear(); }

 private:
  std::map<std::pair<std::string, ClientHelloPadding>, ContextPtr> contexts_;
};

}  // namespace proxywatch
