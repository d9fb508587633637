// libFuzzer target: a proxy's answer to CONNECT, read as the probe reads it (common/probe.cc:
// Beast's response parser with kMaxHeaderBytes and skip(true), RFC 9112 §6.3), then the
// evidence kept from it (common/proxy_answer.h: Via, X-Squid-Error, Server, the challenges of
// a 407). Everything kept must be printable ASCII and bounded.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <boost/beast/http.hpp>

#include "common/probe/probe.h"
#include "common/probe/proxy_answer.h"

namespace http = boost::beast::http;

namespace {

void check_printable(const std::string& text, std::size_t max) {
  if (text.size() > max) std::abort();
  for (unsigned char c : text) {
    if (c < 0x20 || c >= 0x7f) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  http::response_parser<http::empty_body> parser;
  parser.header_limit(proxywatch::kMaxHeaderBytes);
  parser.skip(true);
  boost::system::error_code ec;
  // Feed in two pieces, as a socket may deliver it.
  std::size_t half = size / 2;
  std::size_t used = parser.put(boost::asio::buffer(data, half), ec);
  if (ec == http::error::need_more) ec = {};
  if (!ec && !parser.is_header_done()) {
    parser.put(boost::asio::buffer(data + used, size - used), ec);
  }
  if (ec || !parser.is_header_done()) return 0;
  const auto& header = parser.get();
  auto answer = proxywatch::read_proxy_answer(header.result_int(), header.reason(), header);
  check_printable(answer.reason, 1024);
  check_printable(answer.error_source, 4096);
  (void)parser.content_length();
  (void)parser.keep_alive();
  return 0;
}
