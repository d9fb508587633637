// What one probe is asked to do: which proxy, which target, what to request through the
// tunnel and how long each phase may take. Plain data, built by the CLI or by config/.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/system/result.hpp>

#include "common/error.h"
#include "common/outcome.h"

namespace proxywatch {

using Millis = std::chrono::milliseconds;

// A host (name, IPv4 literal or IPv6 literal without brackets) and a TCP port.
struct HostPort {
  std::string host;
  std::uint16_t port = 0;

  // "host:port", or "[v6]:port" when host is an IPv6 literal.
  std::string to_string() const;
  friend bool operator==(const HostPort&, const HostPort&) = default;
};

// Parses "host:port", "[v6]:port", "host" and "[v6]" (the last two take default_port when
// given, and are an error otherwise). The error says what is wrong with the text.
Result<HostPort> parse_host_port(std::string_view text, std::optional<std::uint16_t> default_port);

// True when host is an IPv4 or IPv6 literal (no DNS lookup needed).
bool is_ip_literal(std::string_view host);

// Deadlines, one per phase; `stall` is the longest silence allowed during `transfer`.
struct PhaseTimeouts {
  Millis dns{5'000};
  Millis tcp_connect{5'000};
  Millis proxy_connect{10'000};
  Millis tls_handshake{10'000};
  Millis http_first_byte{10'000};
  Millis transfer{60'000};
  Millis stall{10'000};
  // Waiting for the peer's close after we are done; never changes the outcome.
  Millis close{1'000};

  // Sets every phase deadline (not stall or close) to `each`.
  void set_all_phases(Millis each);
  // The deadline of `phase`. A plain-HTTP request's exchange with the proxy is timed as its
  // first byte, so http_first_byte is that exchange's deadline too.
  Millis of(Phase phase) const;
  friend bool operator==(const PhaseTimeouts&, const PhaseTimeouts&) = default;
};

// An HTTP request: sent inside the tunnel after the TLS handshake (https), or to the proxy in
// absolute form (http).
struct HttpRequestSpec {
  std::string method;  // "HEAD" or "GET"
  std::string path;    // origin-form, starts with '/'; may carry a query
  friend bool operator==(const HttpRequestSpec&, const HttpRequestSpec&) = default;
};

// Parses "HEAD /", "GET /path?q" (method HEAD or GET, case-sensitive per RFC 9110 §9.1).
Result<HttpRequestSpec> parse_request(std::string_view text);

// The user name and password sent to the proxy when it asks (407). The password must never be
// printed, logged, exported or written to a file by proxywatch.
struct ProxyCredentials {
  std::string user;
  std::string password;
  friend bool operator==(const ProxyCredentials&, const ProxyCredentials&) = default;
};

// How a target is reached through the proxy (DESIGN.md, "What one probe is").
enum class TargetScheme {
  // CONNECT host:port (RFC 9110 §9.3.6), then TLS through the tunnel and optionally a request
  // inside it: how the FMC reaches its https:// services.
  kHttps,
  // A plain-HTTP request in absolute form (RFC 9112 §3.2.2: `GET http://host/path HTTP/1.1`)
  // that the proxy forwards itself, with no tunnel and no TLS: how the FMC's libcurl fetches
  // http:// feeds through a proxy. `request` is then required.
  kHttp,
};

// The port a plain-HTTP URL means when it names none.
inline constexpr std::uint16_t kHttpDefaultPort = 80;

struct ProbeSpec {
  HostPort proxy;
  HostPort target;
  TargetScheme scheme = TargetScheme::kHttps;
  // PEM bundle of trusted CAs for the origin; empty means the system store.
  std::string ca_file;
  std::optional<HttpRequestSpec> request;
  // Body bytes read at most before the probe stops reading (and passes).
  std::uint64_t max_bytes = 1 << 20;
  PhaseTimeouts timeouts;
  // A negative probe: passes when the proxy refuses the CONNECT, fails when the tunnel opens.
  bool expect_denied = false;
  // Whether an origin answer >= 400 fails the probe (outcome http_error) or only is recorded.
  bool http_error_fails = true;
  std::string user_agent = "proxywatch/" PROXYWATCH_VERSION;
  // Credentials for a proxy that answers 407; nullopt: none configured (proxy_auth_required).
  std::optional<ProxyCredentials> credentials;
  // Never send the password in clear: a proxy that offers only Basic (RFC 7617, base64 of the
  // password) ends the probe as proxy_auth_insecure instead of being answered.
  bool refuse_basic = false;
  // MTU differential probes (DESIGN.md, mtu_suspected). clamp_mss: TCP_MAXSEG set on the socket
  // before connect, so the proxy must send segments of at most this many bytes (inbound test).
  std::optional<std::uint32_t> clamp_mss;
  // pad_client_hello: the TLS ClientHello is padded past one full-size segment (outbound test).
  bool pad_client_hello = false;

  bool plain_http() const { return scheme == TargetScheme::kHttp; }
  // The target as people write it and every output names it: "host:port" for a tunnel,
  // "http://host[:port]/path" for a plain-HTTP target.
  std::string target_text() const;
  // The request-target of a plain-HTTP request: "http://host[:port]/path" (the port only when
  // it is not 80), IPv6 hosts in brackets.
  std::string absolute_uri() const;
  // The Host header of a request to the target: the host, with the port unless it is the
  // scheme's default (RFC 9110 §7.2).
  std::string host_header() const;
  friend bool operator==(const ProbeSpec&, const ProbeSpec&) = default;
};

}  // namespace proxywatch
