// What the bytes of one direction of a probe's connection are, segment by segment, as they
// arrive in order: an HTTP request or status line while the exchange with the proxy is text,
// then TLS records by type and size — the handshake messages by name, the ClientHello with its
// SNI, alerts with their description — followed across segment boundaries by their lengths.
// Internal to common/capture (packet_reading.cc).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace proxywatch::capture {

class PayloadReader {
 public:
  // Describes the in-order payload `bytes` (its first `captured` bytes present, `length` on the
  // wire): "CONNECT fmc.example:443", "HTTP/1.1 200 Connection established",
  // "TLS ClientHello (578 bytes, SNI fmc.example)", "TLS application data (1369 bytes)" …
  // Empty when nothing can be said (the middle of a record).
  std::string describe(std::string_view bytes, std::uint32_t length);

  // True once a TLS record was seen in this direction.
  bool tls() const { return mode_ == Mode::kTls; }

 private:
  enum class Mode { kText, kTls, kLost };
  std::string describe_text(std::string_view bytes);
  std::string describe_records(std::string_view bytes, std::uint32_t length);

  Mode mode_ = Mode::kText;
  // Bytes of the current TLS record still to come, and a record header split across segments.
  std::uint64_t record_left_ = 0;
  std::string partial_header_;
};

// The name of a TLS handshake message type (RFC 8446 §4), e.g. "ClientHello".
std::string handshake_name(std::uint8_t type);

// The server name of a ClientHello handshake message body (`hello` starts at the handshake
// header), empty when there is none or it cannot be read.
std::string client_hello_sni(std::string_view hello);

}  // namespace proxywatch::capture
