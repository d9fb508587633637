// What arrives where a TLS record belongs, seen below OpenSSL's checks: whether bytes start a
// TLS record, the records a handshake received (through OpenSSL's message callback, which gets
// each record's 5-byte header before the header is checked, so bytes that are not TLS show
// too), and the ClientHello a context would send, as bytes for a socket of our own.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <openssl/ssl.h>

namespace proxywatch {

// True when `bytes` start with a TLS record header (RFC 8446 §5.1): a content type from
// change_cipher_spec (20) to heartbeat (24), then legacy version 3.x with x at most 4. Needs
// the first three bytes.
bool is_tls_record_header(std::string_view bytes);

// Watches the records `ssl` receives while it lives; the SSL must outlive it.
class RecordWatch {
 public:
  explicit RecordWatch(SSL* ssl);
  // Removes the callback.
  ~RecordWatch();
  RecordWatch(const RecordWatch&) = delete;
  RecordWatch& operator=(const RecordWatch&) = delete;

  // Record headers received so far.
  unsigned received() const { return received_; }
  // The first record header received (5 bytes), empty when none arrived.
  const std::string& first_header() const { return first_header_; }
  // The first record header and what the peer sent after it that OpenSSL has not read, at most
  // `limit` bytes in all. Without read_ahead OpenSSL takes exactly a header's 5 bytes from its
  // BIO and stops at a header it refuses, so after such a failure the rest is still there.
  std::string received_bytes(std::size_t limit) const;

 private:
  static void on_message(int write_p, int version, int content_type, const void* buf,
                         std::size_t len, SSL* ssl, void* arg);

  SSL* ssl_;
  unsigned received_ = 0;
  std::string first_header_;
};

// The ClientHello that `ctx` sends for `host` (SNI unless an IP literal), as the bytes of its
// record(s); empty when OpenSSL cannot make one.
std::string client_hello_bytes(SSL_CTX* ctx, const std::string& host);

}  // namespace proxywatch
