// Who made the answer to a plain-HTTP request sent through a proxy: the proxy itself (its
// refusal or error page) or the origin (relayed). Through a CONNECT tunnel the question does not
// arise, since the proxy's answer and the origin's travel apart; here both arrive on the same
// connection in the same form, and only the headers tell. docs/outcomes.md ("Plain-HTTP
// targets: the proxy's answer or the origin's") documents the rules and where they cannot tell.
#pragma once

#include <boost/beast/http/fields.hpp>

namespace proxywatch {

// True when the answer with `status` and `headers` was made by the proxy, in this order:
//   - it carries X-Squid-Error (squid's own error pages) or Proxy-Authenticate;
//   - its Server names a proxy product (squid, tinyproxy, privoxy, ATS, polipo), or the product
//     the proxy names in its Via entry (an error page's Server is the proxy's own, a relayed
//     answer's is the origin's);
//   - it has no Server and its status is 502 or 504, which only a gateway or proxy sends
//     (RFC 9110 §15.6.3, §15.6.5).
// Anything else is taken as the origin's answer, relayed. A 2xx is always the origin's.
bool made_by_proxy(unsigned status, const boost::beast::http::fields& headers);

}  // namespace proxywatch
