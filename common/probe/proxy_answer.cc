// Reading the evidence out of a proxy's answer.
#include "common/probe/proxy_answer.h"

namespace proxywatch {

namespace http = boost::beast::http;

ProxyAnswer read_proxy_answer(unsigned status, std::string_view reason,
                              const http::fields& headers) {
  ProxyAnswer answer;
  answer.status = status;
  answer.reason = printable(reason, 100);
  std::string source;
  for (std::string_view name : {"X-Squid-Error", "Via", "Server"}) {
    auto it = headers.find(name);
    if (it == headers.end()) continue;
    if (!source.empty()) source += "; ";
    source += std::string(name) + ": " + printable(it->value(), 120);
  }
  answer.error_source = std::move(source);
  // Bounded: a hostile proxy may send thousands of Proxy-Authenticate headers.
  int seen = 0;
  auto [first, last] = headers.equal_range(http::field::proxy_authenticate);
  for (auto it = first; it != last && ++seen <= 16; ++it) {
    parse_auth_challenges(it->value(), answer.challenges);
  }
  return answer;
}

}  // namespace proxywatch
