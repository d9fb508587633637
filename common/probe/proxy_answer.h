// What a proxy's answer to CONNECT says beyond its status code: who produced it (Via,
// X-Squid-Error, Server) and which authentication schemes a 407 offers. Header values come
// from an untrusted peer, so everything kept here is cut to printable ASCII and bounded.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/fields.hpp>

#include "common/escape.h"
#include "common/probe/auth_challenge.h"

namespace proxywatch {

struct ProxyAnswer {
  unsigned status = 0;
  std::string reason;
  std::string error_source;  // e.g. "X-Squid-Error: ERR_ACCESS_DENIED 0; Server: squid/5.7"
  std::vector<AuthChallenge> challenges;
};

// Extracts the answer's evidence from a parsed response header.
ProxyAnswer read_proxy_answer(unsigned status, std::string_view reason,
                              const boost::beast::http::fields& headers);

}  // namespace proxywatch
