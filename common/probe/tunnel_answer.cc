// Parsing an HTTP head out of raw bytes with Beast's response parser.
#include "common/probe/tunnel_answer.h"

#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "common/escape.h"

namespace proxywatch {

namespace http = boost::beast::http;

bool starts_http_answer(std::string_view bytes) {
  return bytes.starts_with("HTTP/");
}

std::optional<TunnelAnswer> parse_tunnel_answer(std::string_view bytes) {
  bytes = bytes.substr(0, kMaxTunnelAnswerBytes);
  if (!starts_http_answer(bytes)) return std::nullopt;
  std::string head(bytes);
  if (auto end = head.find("\r\n\r\n"); end != std::string::npos) {
    head.resize(end + 4);
  } else {
    // The rest of the head is still on its way (or was never sent): its complete lines are
    // evidence enough, so they are ended with the blank line the parser needs.
    auto last = head.rfind("\r\n");
    if (last == std::string::npos) return std::nullopt;
    head.resize(last + 2);
    head += "\r\n";
  }
  http::response_parser<http::empty_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(head.size()));
  parser.skip(true);  // the body, if any, is not ours to read
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(head), ec);
  if (ec || !parser.is_header_done()) return std::nullopt;
  const auto& answer = parser.get();
  return TunnelAnswer{.version = answer.version(),
                      .status = answer.result_int(),
                      .reason = printable(answer.reason(), 100),
                      .location = printable(answer[http::field::location], 200),
                      .server = printable(answer[http::field::server], 100)};
}

}  // namespace proxywatch
