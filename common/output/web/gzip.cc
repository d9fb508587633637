// Accept-Encoding parsing (RFC 9110 §12.5.3, weights §12.4.2) and zlib's deflate with a gzip
// wrapper.
#include "common/output/web/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <new>
#include <optional>

namespace proxywatch {
namespace {

std::string_view trim_ows(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// The weight of one list member's parameters ("q=0.5"; 1 without one). A malformed weight
// counts as 0: the member is not taken as acceptable.
double coding_weight(std::string_view params) {
  while (!params.empty()) {
    const auto semicolon = params.find(';');
    std::string_view param = trim_ows(params.substr(0, semicolon));
    params =
        semicolon == std::string_view::npos ? std::string_view() : params.substr(semicolon + 1);
    if (param.size() < 2 || std::tolower(static_cast<unsigned char>(param[0])) != 'q' ||
        param[1] != '=') {
      continue;
    }
    std::string_view value = trim_ows(param.substr(2));
    double weight = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), weight);
    if (ec != std::errc() || end != value.data() + value.size() || weight < 0 || weight > 1) {
      return 0;
    }
    return weight;
  }
  return 1;
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) {
  std::optional<double> gzip;  // the weight gzip was given by name
  std::optional<double> any;   // the weight of "*"
  while (!accept_encoding.empty()) {
    const auto comma = accept_encoding.find(',');
    std::string_view member = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    const auto semicolon = member.find(';');
    std::string_view coding = trim_ows(member.substr(0, semicolon));
    double weight =
        coding_weight(semicolon == std::string_view::npos ? "" : member.substr(semicolon + 1));
    if (equals_ignoring_case(coding, "gzip") || equals_ignoring_case(coding, "x-gzip")) {
      gzip = std::max(gzip.value_or(0), weight);
    } else if (coding == "*") {
      any = weight;
    }
  }
  if (gzip) return *gzip > 0;
  return any.value_or(0) > 0;
}

struct GzipStream::State {
  z_stream z{};
};

GzipStream::GzipStream() : state_(std::make_unique<State>()) {
  // windowBits 15 + 16: a gzip header and trailer instead of zlib's (zlib.h, deflateInit2).
  if (deflateInit2(&state_->z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::bad_alloc();
}

GzipStream::~GzipStream() {
  deflateEnd(&state_->z);
}

void GzipStream::append(std::string_view data) {
  // deflate takes at most uInt bytes a call.
  constexpr std::size_t kStep = std::size_t{1} << 30;
  while (!data.empty()) {
    const std::size_t step = std::min(data.size(), kStep);
    state_->z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    state_->z.avail_in = static_cast<uInt>(step);
    deflate_into(Z_NO_FLUSH);
    data.remove_prefix(step);
  }
}

std::string GzipStream::finish() {
  deflate_into(Z_FINISH);
  out_.resize(state_->z.total_out);
  return std::move(out_);
}

// Runs deflate until it has taken all its input (Z_NO_FLUSH) or ended the stream (Z_FINISH),
// growing the output as it fills.
void GzipStream::deflate_into(int flush) {
  z_stream& z = state_->z;
  for (;;) {
    if (out_.size() - z.total_out < 16 * 1024) {
      out_.resize(std::max<std::size_t>(out_.size() * 2, 64 * 1024));
    }
    z.next_out = reinterpret_cast<Bytef*>(out_.data() + z.total_out);
    z.avail_out = static_cast<uInt>(
        std::min<std::size_t>(out_.size() - z.total_out, std::numeric_limits<uInt>::max()));
    const int rc = deflate(&z, flush);
    if (rc == Z_STREAM_END) return;
    // Only a lack of memory stops deflate otherwise (Z_BUF_ERROR: no progress possible).
    if (rc != Z_OK && rc != Z_BUF_ERROR) throw std::bad_alloc();
    if (flush == Z_NO_FLUSH && z.avail_in == 0) return;
  }
}

std::string gzip_compress(std::string_view data) {
  GzipStream stream;
  stream.append(data);
  return stream.finish();
}

}  // namespace proxywatch
