// gzip for the listener's answers (/metrics): whether a request's Accept-Encoding accepts it,
// and the compression itself with zlib. Prometheus asks for gzip on every scrape
// (`Accept-Encoding: gzip`), and the text exposition shrinks to a tenth or less at zlib's
// fastest level, which costs the listener's thread far less than writing ten times the bytes.
#pragma once

#include <string>
#include <string_view>

namespace proxywatch {

// Whether the Accept-Encoding header value `accept_encoding` (RFC 9110 §12.5.3) accepts gzip:
// "gzip" (or "x-gzip") with a weight above 0, or "*" with a weight above 0 when gzip is not
// named at all. Names are case-insensitive; "gzip;q=0" refuses it. An empty value (or no
// header) accepts only identity.
bool accepts_gzip(std::string_view accept_encoding);

// `data` as one gzip member (RFC 1952), compressed at zlib's fastest level (Z_BEST_SPEED).
// Throws std::bad_alloc when zlib cannot get memory; nothing else can fail.
std::string gzip_compress(std::string_view data);

}  // namespace proxywatch
