// libFuzzer target: a proxy's answer to CONNECT, read as the probe reads it (common/probe.cc:
// Beast's response parser with kMaxHeaderBytes and skip(true), RFC 9112 §6.3), then the
// evidence kept from it (common/proxy_answer.h: Via, X-Squid-Error, Server, the challenges of
// a 407, squid's page name and the outcome it stands for), and the title of the page the
// bytes after the header would be (common/probe/answer_page.h). Everything kept must be
// printable ASCII and bounded.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <boost/beast/http.hpp>

#include "common/probe/answer_page.h"
#include "common/probe/probe.h"
#include "common/probe/proxy_answer.h"
#include "common/probe/squid_error.h"

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
    used += parser.put(boost::asio::buffer(data + used, size - used), ec);
  }
  if (ec || !parser.is_header_done()) return 0;
  const auto& header = parser.get();
  auto answer = proxywatch::read_proxy_answer(header.result_int(), header.reason(), header);
  check_printable(answer.reason, 1024);
  check_printable(answer.error_source, 4096);
  check_printable(answer.squid_error, 40);
  check_printable(proxywatch::squid_error_meaning(answer.squid_error, answer.squid_error_detail),
                  400);
  (void)proxywatch::outcome_for_proxy_answer(answer);
  // The page: whatever follows the header, as read_answer_page would hold it.
  std::size_t body_from = std::min(size, used);
  std::string_view body(reinterpret_cast<const char*>(data) + body_from, size - body_from);
  check_printable(proxywatch::page_title(body.substr(0, proxywatch::kMaxPageBytes)),
                  proxywatch::kMaxPageTitle);
  (void)proxywatch::is_html_type(header[http::field::content_type]);
  (void)parser.content_length();
  (void)parser.keep_alive();
  return 0;
}
