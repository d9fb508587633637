// The rules of answer_source.h.
#include "common/probe/answer_source.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>

namespace proxywatch {
namespace {

namespace http = boost::beast::http;

// Server products that are proxies, lower case: an answer naming one as its Server is the
// proxy's own page, never an origin's.
constexpr std::array<std::string_view, 5> kProxyProducts = {"squid", "tinyproxy", "privoxy", "ats",
                                                            "polipo"};
// Longest Server/Via value looked into: a hostile peer's header is bounded.
constexpr std::size_t kMaxHeaderLooked = 512;

std::string lower_bounded(std::string_view text) {
  std::string out(text.substr(0, kMaxHeaderLooked));
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The product name of a Server value: "squid" of "squid/5.7", "nginx" of "nginx".
std::string product_of(std::string_view server) {
  std::string value = lower_bounded(server);
  auto end = value.find_first_of("/ (");
  return value.substr(0, end);
}

}  // namespace

bool made_by_proxy(unsigned status, const http::fields& headers) {
  if (status < 300) return false;
  if (headers.find("X-Squid-Error") != headers.end()) return true;
  if (headers.find(http::field::proxy_authenticate) != headers.end()) return true;
  auto server = headers.find(http::field::server);
  if (server == headers.end()) return status == 502 || status == 504;
  std::string product = product_of(server->value());
  if (product.empty()) return false;
  if (std::find(kProxyProducts.begin(), kProxyProducts.end(), product) != kProxyProducts.end()) {
    return true;
  }
  // squid's Via: "1.1 host (squid/5.7)"; its error page's Server: "squid/5.7".
  auto [first, last] = headers.equal_range(http::field::via);
  for (auto it = first; it != last; ++it) {
    if (lower_bounded(it->value()).find(product) != std::string::npos) return true;
  }
  return false;
}

}  // namespace proxywatch
