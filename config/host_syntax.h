// The syntax of a host as configuration files write it: an IPv4 literal, an IPv6 literal (bare
// or in brackets) or a DNS name. Shared by the FMC proxy file and the YAML targets so both
// accept and reject the same hosts.
#pragma once

#include <string>
#include <string_view>

#include <boost/system/result.hpp>

#include "common/error.h"

namespace proxywatch::config {

// Checks `text` and returns the host without brackets, or the reason it is not a host, phrased
// to follow the quoted text ("contains invalid character '/'"). DNS names are letters, digits,
// '-' and '_' in labels of 1-63 characters, at most 253 in all, one trailing dot allowed.
Result<std::string> parse_host(std::string_view text);

}  // namespace proxywatch::config
