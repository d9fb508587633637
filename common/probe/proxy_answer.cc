// Reading the evidence out of a proxy's answer.
#include "common/probe/proxy_answer.h"

#include "common/probe/squid_error.h"

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
  if (auto it = headers.find("X-Squid-Error"); it != headers.end()) {
    SquidErrorValue squid = parse_squid_error(it->value());
    answer.squid_error = std::move(squid.code);
    answer.squid_error_detail = squid.detail;
  }
  // Bounded: a hostile proxy may send thousands of Proxy-Authenticate headers.
  int seen = 0;
  auto [first, last] = headers.equal_range(http::field::proxy_authenticate);
  for (auto it = first; it != last && ++seen <= 16; ++it) {
    parse_auth_challenges(it->value(), answer.challenges);
  }
  return answer;
}

Outcome outcome_for_proxy_answer(const ProxyAnswer& answer) {
  Outcome by_status = outcome_for_connect_status(answer.status);
  if (answer.status < 300 || answer.status == 401 || answer.status == 407) return by_status;
  const SquidError* squid = find_squid_error(answer.squid_error);
  if (squid && squid->outcome) return *squid->outcome;
  // Tinyproxy's page when it cannot connect to the destination (or resolve it): its 500 is the
  // way there failing, not the proxy.
  if (answer.reason == "Unable to connect" &&
      answer.error_source.find("Server: tinyproxy") != std::string::npos) {
    return Outcome::kProxyUpstreamFailed;
  }
  return by_status;
}

}  // namespace proxywatch
