// gzip for the listener's answers (/metrics): whether a request's Accept-Encoding accepts it,
// and the compression itself with zlib. Prometheus asks for gzip on every scrape
// (`Accept-Encoding: gzip`), and the text exposition shrinks to a tenth or less at zlib's
// fastest level, which costs the listener's thread far less than writing ten times the bytes.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace proxywatch {

// Whether the Accept-Encoding header value `accept_encoding` (RFC 9110 §12.5.3) accepts gzip:
// "gzip" (or "x-gzip") with a weight above 0, or "*" with a weight above 0 when gzip is not
// named at all. Names are case-insensitive; "gzip;q=0" refuses it. An empty value (or no
// header) accepts only identity.
bool accepts_gzip(std::string_view accept_encoding);

// One gzip member (RFC 1952) made piece by piece at zlib's fastest level (Z_BEST_SPEED): the
// text of a scrape of 10,000 targets (tens of MiB) is compressed as it is written, and only the
// compressed bytes are ever held. Throws std::bad_alloc when zlib cannot get memory; nothing
// else can fail.
class GzipStream {
 public:
  GzipStream();
  ~GzipStream();
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;

  // Compresses `data` after what came before.
  void append(std::string_view data);
  // Ends the member and returns it; the stream is done.
  std::string finish();

 private:
  struct State;
  void deflate_into(int flush);
  std::unique_ptr<State> state_;
  std::string out_;
};

// `data` as one gzip member (GzipStream).
std::string gzip_compress(std::string_view data);

}  // namespace proxywatch
