// TLS records below OpenSSL's checks: the message callback and memory BIOs.
#include "common/probe/tls_records.h"

#include <algorithm>
#include <memory>

#include "common/probe_spec.h"

namespace proxywatch {
namespace {

constexpr std::size_t kRecordHeaderBytes = 5;  // SSL3_RT_HEADER_LENGTH
constexpr unsigned char kFirstContentType = 20;
constexpr unsigned char kLastContentType = 24;

}  // namespace

bool is_tls_record_header(std::string_view bytes) {
  if (bytes.size() < 3) return false;
  auto type = static_cast<unsigned char>(bytes[0]);
  return type >= kFirstContentType && type <= kLastContentType && bytes[1] == '\x03' &&
         static_cast<unsigned char>(bytes[2]) <= 4;
}

RecordWatch::RecordWatch(SSL* ssl) : ssl_(ssl) {
  SSL_set_msg_callback(ssl_, &RecordWatch::on_message);
  SSL_set_msg_callback_arg(ssl_, this);
}

RecordWatch::~RecordWatch() {
  SSL_set_msg_callback(ssl_, nullptr);
  SSL_set_msg_callback_arg(ssl_, nullptr);
}

void RecordWatch::on_message(int write_p, int /*version*/, int content_type, const void* buf,
                             std::size_t len, SSL* /*ssl*/, void* arg) {
  if (write_p != 0 || content_type != SSL3_RT_HEADER || arg == nullptr) return;
  auto* watch = static_cast<RecordWatch*>(arg);
  if (watch->received_++ == 0) {
    watch->first_header_.assign(static_cast<const char*>(buf), std::min(len, kRecordHeaderBytes));
  }
}

std::string RecordWatch::received_bytes(std::size_t limit) const {
  std::string bytes = first_header_.substr(0, limit);
  BIO* rbio = SSL_get_rbio(ssl_);
  while (rbio != nullptr && bytes.size() < limit) {
    char chunk[1024];
    int n = BIO_read(rbio, chunk, static_cast<int>(std::min(sizeof chunk, limit - bytes.size())));
    if (n <= 0) break;
    bytes.append(chunk, static_cast<std::size_t>(n));
  }
  return bytes;
}

std::string client_hello_bytes(SSL_CTX* ctx, const std::string& host) {
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx), &SSL_free);
  if (!ssl) return {};
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  if (in == nullptr || out == nullptr) {
    BIO_free(in);
    BIO_free(out);
    return {};
  }
  SSL_set_bio(ssl.get(), in, out);  // the SSL owns both now
  SSL_set_connect_state(ssl.get());
  if (!is_ip_literal(host)) SSL_set_tlsext_host_name(ssl.get(), host.c_str());
  // No answer can arrive from a memory BIO: the handshake writes its ClientHello and waits.
  SSL_do_handshake(ssl.get());
  char* data = nullptr;
  long size = BIO_get_mem_data(out, &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

}  // namespace proxywatch
