// TLS record headers (RFC 8446 §5.1: type, version, 16-bit length) and the handshake header
// that follows (type, 24-bit length); the ClientHello's extensions (RFC 8446 §4.1.2) up to
// server_name (RFC 6066 §3). Every length is checked against what was captured.
#include "common/capture/payload_reader.h"

#include <algorithm>

#include "common/escape.h"

namespace proxywatch::capture {
namespace {

constexpr std::size_t kRecordHeader = 5;
constexpr std::size_t kLongestLine = 120;

std::uint8_t u8(std::string_view b, std::size_t at) {
  return static_cast<std::uint8_t>(b[at]);
}
std::size_t u16(std::string_view b, std::size_t at) {
  return (std::size_t{u8(b, at)} << 8) | u8(b, at + 1);
}

bool looks_like_record(std::string_view b) {
  return b.size() >= 3 && u8(b, 0) >= 20 && u8(b, 0) <= 24 && u8(b, 1) == 3 && u8(b, 2) <= 4;
}

std::string record_name(std::uint8_t type, std::string_view body, std::size_t length) {
  std::string size = std::to_string(length) + " bytes";
  switch (type) {
    case 20:
      return "ChangeCipherSpec";
    case 21:
      if (body.size() >= 2) {
        return std::string(u8(body, 0) == 2 ? "fatal" : "warning") + " alert " +
               std::to_string(u8(body, 1));
      }
      return "alert (" + size + ")";
    case 22: {
      if (body.empty()) return "handshake (" + size + ")";
      std::string name = handshake_name(u8(body, 0));
      if (u8(body, 0) == 1) {
        std::string sni = client_hello_sni(body);
        if (!sni.empty()) return name + " (" + size + ", SNI " + sni + ")";
      }
      return name + " (" + size + ")";
    }
    case 23:
      return "application data (" + size + ")";
    default:
      return "heartbeat (" + size + ")";
  }
}

}  // namespace

std::string handshake_name(std::uint8_t type) {
  switch (type) {
    case 1:
      return "ClientHello";
    case 2:
      return "ServerHello";
    case 4:
      return "NewSessionTicket";
    case 8:
      return "EncryptedExtensions";
    case 11:
      return "Certificate";
    case 12:
      return "ServerKeyExchange";
    case 13:
      return "CertificateRequest";
    case 14:
      return "ServerHelloDone";
    case 15:
      return "CertificateVerify";
    case 16:
      return "ClientKeyExchange";
    case 20:
      return "Finished";
    default:
      return "handshake type " + std::to_string(type);
  }
}

std::string client_hello_sni(std::string_view h) {
  // handshake header 4, version 2, random 32, then session id, cipher suites, compression.
  std::size_t at = 4 + 2 + 32;
  if (h.size() < at + 1) return {};
  at += 1 + u8(h, at);
  if (h.size() < at + 2) return {};
  at += 2 + u16(h, at);
  if (h.size() < at + 1) return {};
  at += 1 + u8(h, at);
  if (h.size() < at + 2) return {};
  std::size_t end = std::min(h.size(), at + 2 + u16(h, at));
  at += 2;
  while (at + 4 <= end) {
    std::size_t type = u16(h, at);
    std::size_t length = u16(h, at + 2);
    at += 4;
    if (type == 0 && at + 5 <= end && u8(h, at + 2) == 0) {  // server_name list, host_name
      std::size_t name_length = u16(h, at + 3);
      if (at + 5 + name_length > end) return {};
      return printable(h.substr(at + 5, name_length), 253);
    }
    at += length;
  }
  return {};
}

std::string PayloadReader::describe(std::string_view bytes, std::uint32_t length) {
  if (mode_ == Mode::kText && looks_like_record(bytes)) mode_ = Mode::kTls;
  if (mode_ == Mode::kText) return describe_text(bytes);
  if (mode_ == Mode::kTls) return describe_records(bytes, length);
  return {};
}

std::string PayloadReader::describe_text(std::string_view bytes) {
  // A request or status line: the first line of a segment that starts with one.
  static constexpr std::string_view kStarts[] = {"CONNECT ", "GET ", "HEAD ", "POST ", "HTTP/1."};
  bool starts_message = std::any_of(std::begin(kStarts), std::end(kStarts),
                                    [&](std::string_view s) { return bytes.starts_with(s); });
  if (!starts_message) return {};
  std::string_view line = bytes.substr(0, bytes.find_first_of("\r\n"));
  if (line.starts_with("CONNECT ") || line.starts_with("GET ") || line.starts_with("HEAD ") ||
      line.starts_with("POST ")) {
    // The method and target; the version adds nothing.
    line = line.substr(0, line.rfind(' ') == line.find(' ') ? line.size() : line.rfind(' '));
  }
  std::string out = printable(line, kLongestLine);
  bool authorized = bytes.find("\nProxy-Authorization:") != std::string_view::npos ||
                    bytes.find("\nproxy-authorization:") != std::string_view::npos;
  if (authorized) out += " with Proxy-Authorization (masked)";
  return out;
}

std::string PayloadReader::describe_records(std::string_view bytes, std::uint32_t length) {
  std::string out;
  std::size_t at = 0;
  std::size_t wire = std::max<std::size_t>(length, bytes.size());
  while (at < wire) {
    if (record_left_ > 0) {
      std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(record_left_, wire - at));
      record_left_ -= take;
      at += take;
      continue;
    }
    // A record header, perhaps begun in the previous segment.
    std::size_t need = kRecordHeader - partial_header_.size();
    if (at + need > bytes.size()) {
      if (at >= bytes.size()) {  // not captured: the records can no longer be followed
        mode_ = Mode::kLost;
        break;
      }
      partial_header_.append(bytes.substr(at));
      at = wire;
      break;
    }
    std::string header = partial_header_ + std::string(bytes.substr(at, need));
    std::size_t body_at = at + need;
    partial_header_.clear();
    if (!looks_like_record(header)) {
      mode_ = Mode::kLost;
      out += out.empty() ? "not TLS" : ", not TLS";
      break;
    }
    std::size_t record_length = u16(header, 3);
    std::string_view body = bytes.substr(std::min(body_at, bytes.size()));
    body = body.substr(0, record_length);
    out += (out.empty() ? "TLS " : ", ") + record_name(u8(header, 0), body, record_length);
    record_left_ = record_length;
    at = body_at;
  }
  return out;
}

}  // namespace proxywatch::capture
