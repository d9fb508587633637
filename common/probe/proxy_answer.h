// What a proxy's answer to CONNECT says beyond its status code: who produced it (Via,
// X-Squid-Error, Server), squid's error page name, which authentication schemes a 407 offers,
// and the outcome all of it stands for. Header values come from an untrusted peer, so
// everything kept here is cut to printable ASCII and bounded.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/fields.hpp>

#include "common/escape.h"
#include "common/outcome.h"
#include "common/probe/auth_challenge.h"

namespace proxywatch {

struct ProxyAnswer {
  unsigned status = 0;
  std::string reason;
  std::string error_source;  // e.g. "X-Squid-Error: ERR_ACCESS_DENIED 0; Server: squid/5.7"
  std::vector<AuthChallenge> challenges;
  // From X-Squid-Error (squid_error.h: parse_squid_error): squid's page name, "ERR_DNS_FAIL",
  // or empty; and the number after it.
  std::string squid_error;
  int squid_error_detail = 0;
};

// Extracts the answer's evidence from a parsed response header.
ProxyAnswer read_proxy_answer(unsigned status, std::string_view reason,
                              const boost::beast::http::fields& headers);

// The outcome of an answer the proxy gave itself (to CONNECT, or to an absolute-form request
// when X-Squid-Error shows squid wrote it): outcome_for_connect_status(status), refined by
// squid's page name where the table (squid_error.h) gives one: ERR_DNS_FAIL's 503 is the
// destination's name failing (proxy_upstream_failed), not overload; ERR_ACCESS_DENIED is
// proxy_denied whatever the status (deny_info may send a 302 or another). 1xx, 2xx, 401 and
// 407 keep the status's outcome: authentication and tunnels are decided by the status.
// Tinyproxy's "500 Unable to connect" is proxy_upstream_failed too.
Outcome outcome_for_proxy_answer(const ProxyAnswer& answer);

}  // namespace proxywatch
