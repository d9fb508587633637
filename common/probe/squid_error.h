// squid's error pages named in words. Squid marks every answer it writes itself with
// `X-Squid-Error: <page name> <number>` (errorpage.cc: the page's name, then the errno behind it
// or 0), and the page name says far more than the status: ERR_DNS_FAIL and ERR_CONNECT_FAIL both
// come as 503, which alone reads as overload. This table gives each common page of squid 5
// (/usr/share/squid/errors/templates, plus the timeouts that have no template) the outcome it
// stands for where that differs from the status's, what it means and what to check next, in
// the operator's words. The text is ours and constant; only the number comes from the peer.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/outcome.h"

namespace proxywatch {

// One of squid's error pages.
struct SquidError {
  std::string_view code;  // the page's name, "ERR_DNS_FAIL"
  // The outcome the page stands for whatever the status (squid's deny_info can change the
  // status of a page); nullopt: the status decides (outcome_for_connect_status).
  std::optional<Outcome> outcome;
  // Whether the number after the name is an errno worth quoting (ERR_CONNECT_FAIL 111).
  bool errno_detail = false;
  std::string_view meaning;  // what the proxy says, e.g. "it cannot resolve the destination's name"
  std::string_view check;    // what to check next, e.g. "the proxy's DNS servers (dns_nameservers)"
};

// The row of squid's page `code` ("ERR_DNS_FAIL"), or nullptr when the table does not know it.
const SquidError* find_squid_error(std::string_view code);

// An X-Squid-Error value taken apart: `code` is its first word when that is a page name
// ("ERR_" and [A-Z0-9_], at most 40 bytes; empty otherwise, e.g. for deny_info's
// "403 Access Denied"); `detail` the decimal number after it (0 when absent or out of range).
struct SquidErrorValue {
  std::string code;
  int detail = 0;
};
SquidErrorValue parse_squid_error(std::string_view value);

// The meaning of page `code` with its number, in words: "its TCP connection to the destination
// failed: Connection refused (errno 111)". The errno's text is the system's strerror, read as a
// Linux errno (squid's host may number them otherwise), printable and at most 60 bytes; a 0 or
// out-of-range number adds nothing. Empty for a page the table does not know.
std::string squid_error_meaning(std::string_view code, int detail);

}  // namespace proxywatch
