// The table of squid's error pages (squid_error.h) and reading X-Squid-Error.
#include "common/probe/squid_error.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <system_error>

#include "common/escape.h"

namespace proxywatch {
namespace {

constexpr auto kSquidDenied = Outcome::kProxyDenied;
constexpr auto kSquidUpstream = Outcome::kProxyUpstreamFailed;
constexpr auto kSquidProxyError = Outcome::kProxyError;
constexpr std::size_t kSquidMaxCode = 40;
constexpr std::size_t kSquidMaxErrnoText = 60;

// Sorted by code (checked below) for the binary search.
constexpr auto kSquidErrors = std::to_array<SquidError>({
    {"ERR_ACCESS_DENIED", kSquidDenied, false, "its access rules (http_access) deny this request",
     "the proxy's ACL (http_access), which must allow this destination for the FMC"},
    {"ERR_ACL_TIME_QUOTA_EXCEEDED", kSquidDenied, false,
     "a time quota in its access rules is used up", "the proxy's time_quota ACL"},
    {"ERR_CACHE_ACCESS_DENIED", std::nullopt, false,
     "it requires authentication before it forwards this request",
     "the proxy user and password in the FMC proxy settings and the proxy's auth rules"},
    {"ERR_CACHE_MGR_ACCESS_DENIED", std::nullopt, false, "its cache manager refuses access",
     "the proxy's cache-manager access rules"},
    // Squid 4 to 6.3 also answer a CONNECT to a name that does not resolve with this page
    // rather than ERR_DNS_FAIL (squid bug 5294), as the squid 5.7 of our tests does.
    {"ERR_CANNOT_FORWARD", kSquidUpstream, false,
     "it found no route to the destination: the name did not resolve on the proxy, its "
     "neighbours (cache_peer) are down, or never_direct forbids going direct",
     "the proxy's DNS (dns_nameservers) for this name, its cache_peer and never_direct "
     "settings, and its cache.log"},
    {"ERR_CONFLICT_HOST", std::nullopt, false,
     "the destination's name does not match the address it was sent to (host_verify_strict)",
     "host_verify_strict and the DNS the proxy uses"},
    {"ERR_CONNECT_FAIL", kSquidUpstream, true, "its TCP connection to the destination failed",
     "that the destination accepts connections on that port from the proxy, and the proxy's "
     "outbound firewall"},
    {"ERR_DNS_FAIL", kSquidUpstream, false, "it cannot resolve the destination's name",
     "the proxy's DNS servers (dns_nameservers) and that the name exists"},
    {"ERR_FORWARDING_DENIED", kSquidUpstream, false,
     "a neighbouring proxy (cache_peer) refused to forward the request for it",
     "the proxy's cache_peer settings and the neighbour's access rules"},
    {"ERR_GATEWAY_FAILURE", kSquidUpstream, false,
     "its gateway (an upstream proxy or its forwarding path) failed",
     "the proxy's upstream (cache_peer) and its cache.log"},
    {"ERR_ICAP_FAILURE", std::nullopt, false, "its content-adaptation service (ICAP) failed",
     "the ICAP server the proxy uses (icap_service) and its logs"},
    {"ERR_INVALID_REQ", std::nullopt, false, "it finds the request invalid",
     "the request in the proxy's access.log and any device between the FMC and the proxy"},
    {"ERR_INVALID_RESP", kSquidUpstream, false, "the destination's answer is not valid HTTP",
     "what listens on the destination's port"},
    {"ERR_INVALID_URL", std::nullopt, false, "it finds the destination's name or port invalid",
     "the target's name and port"},
    {"ERR_LIFETIME_EXP", std::nullopt, false,
     "the connection outlived the proxy's connection lifetime (client_lifetime)",
     "client_lifetime on the proxy"},
    {"ERR_NO_RELAY", std::nullopt, false, "it has no relay for this protocol (WAIS)",
     "the proxy's wais_relay settings"},
    {"ERR_ONLY_IF_CACHED_MISS", kSquidProxyError, false,
     "the request allowed only a cached copy (only-if-cached) and it had none",
     "the Cache-Control headers of the request"},
    {"ERR_PRECONDITION_FAILED", std::nullopt, false,
     "a precondition of the request (If-Match ...) failed", "the request's conditional headers"},
    {"ERR_PROTOCOL_UNKNOWN", std::nullopt, false, "it does not know the request's protocol",
     "that the proxy allows this scheme"},
    {"ERR_READ_ERROR", kSquidUpstream, true, "reading from the destination failed",
     "the destination and the network between the proxy and it"},
    {"ERR_READ_TIMEOUT", kSquidUpstream, false,
     "the destination stopped sending and the proxy's read_timeout passed",
     "the destination's health and the path from the proxy to it"},
    {"ERR_REQUEST_PARSE_TIMEOUT", std::nullopt, false,
     "the request header did not arrive in time (request_start_timeout)",
     "the path between the FMC and the proxy"},
    {"ERR_REQUEST_START_TIMEOUT", std::nullopt, false,
     "the request did not start in time (request_start_timeout)",
     "the path between the FMC and the proxy"},
    {"ERR_SECURE_CONNECT_FAIL", kSquidUpstream, false,
     "its TLS connection to the destination failed",
     "the destination's certificate and the proxy's outgoing TLS settings"},
    {"ERR_SHUTTING_DOWN", std::nullopt, false, "it is shutting down",
     "whether the proxy is being stopped or restarted"},
    {"ERR_SOCKET_FAILURE", std::nullopt, true, "it could not open a socket",
     "the proxy's file-descriptor limits (max_filedescriptors) and its cache.log"},
    {"ERR_TOO_BIG", kSquidProxyError, false, "the request or the reply exceeds its size limits",
     "request_header_max_size, request_body_max_size and reply_body_max_size on the proxy"},
    {"ERR_UNSUP_HTTPVERSION", std::nullopt, false, "it does not support the request's HTTP version",
     "the proxy's version and any device between the FMC and the proxy"},
    {"ERR_UNSUP_REQ", std::nullopt, false,
     "it does not support this request method for this protocol",
     "that the proxy allows CONNECT to this port"},
    {"ERR_WRITE_ERROR", kSquidUpstream, true, "writing to the destination failed",
     "the destination and the network between the proxy and it"},
    {"ERR_ZERO_SIZE_OBJECT", kSquidUpstream, false,
     "the destination closed the connection without an answer",
     "the destination and what listens on its port"},
});

static_assert(std::ranges::is_sorted(kSquidErrors, {}, &SquidError::code),
              "kSquidErrors: sorted by code");

bool squid_code_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

const SquidError* find_squid_error(std::string_view code) {
  auto it = std::ranges::lower_bound(kSquidErrors, code, {}, &SquidError::code);
  return it != kSquidErrors.end() && it->code == code ? &*it : nullptr;
}

SquidErrorValue parse_squid_error(std::string_view value) {
  SquidErrorValue parsed;
  auto space = value.find(' ');
  std::string_view code = value.substr(0, space);
  if (!code.starts_with("ERR_") || code.size() > kSquidMaxCode ||
      !std::ranges::all_of(code, squid_code_char)) {
    return parsed;
  }
  parsed.code = std::string(code);
  if (space == std::string_view::npos) return parsed;
  std::string_view rest = value.substr(space + 1);
  int number = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), number);
  if (ec == std::errc{} && number > 0) parsed.detail = number;
  return parsed;
}

std::string squid_error_meaning(std::string_view code, int detail) {
  const SquidError* row = find_squid_error(code);
  if (!row) return {};
  std::string meaning(row->meaning);
  // Linux numbers errnos below 4096 (the kernel's MAX_ERRNO); anything else is not one.
  if (row->errno_detail && detail > 0 && detail < 4096) {
    std::string text = printable(std::system_category().message(detail), kSquidMaxErrnoText);
    meaning += ": " + text + " (errno " + std::to_string(detail) + ")";
  }
  return meaning;
}

}  // namespace proxywatch
