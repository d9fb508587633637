// FMC's proxy file, /etc/sf/iprep_proxy.conf, which the FMC GUI writes and proxywatch reads as
// the source of truth for the proxy:
//
//   iprep_proxy {
//     PROXY_HOST 10.10.10.1;
//     PROXY_PORT 80;
//   }
//
// Parsing is tolerant of layout (one line or many, tabs, CRLF, '#' comments, quoted values)
// and strict about content, with errors that name line and column.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/system/result.hpp>

#include "common/probe_spec.h"
#include "config/config_error.h"

namespace proxywatch::config {

// Where FMC keeps the file.
inline constexpr std::string_view kDefaultProxyFile = "/etc/sf/iprep_proxy.conf";

// FMC's Smart Licensing refuses a proxy FQDN longer than this; longer names only get a warning
// because the proxy itself still works for everything else.
inline constexpr std::size_t kSmartLicensingMaxFqdn = 64;

// A file with thousands of unknown keys gets this many warnings and one summary, not one
// line each (a 1 MiB file holds 100,000 keys).
inline constexpr std::size_t kMaxUnknownKeys = 10;

// A key of the iprep_proxy block that proxywatch does not know, kept as written. The value may
// be a secret (a misspelt PROXY_PASSWORD): never print it.
struct UnknownKey {
  std::string key;
  std::string value;
  int line = 0;
  int column = 0;  // of the key
};

// What the file says. `password` must never be printed, logged or exported.
struct ProxyFileSettings {
  HostPort proxy;                       // host without brackets
  std::optional<std::string> user;      // PROXY_USER or PROXY_USERNAME; empty counts as unset
  std::optional<std::string> password;  // PROXY_PASSWORD or PROXY_PASS; empty counts as unset
  std::vector<ConfigWarning> warnings;  // unknown keys, FQDN longer than Smart Licensing allows
  std::vector<UnknownKey> unknown;      // the first kMaxUnknownKeys unknown keys
  std::size_t unknown_left_out = 0;     // unknown keys past those, summed up in one warning
};

// Parses the text of an iprep_proxy.conf; `file` names it in errors and warnings. Exactly one
// `iprep_proxy { KEY VALUE; ... }` block with PROXY_HOST (IPv4, IPv6 bare or in brackets, or a
// DNS name) and PROXY_PORT (1-65535), each key at most once. Errors carry the line and column
// of the offending token; no error or warning text contains a password.
Result<ProxyFileSettings> parse_iprep_proxy_conf(std::string_view text, std::string_view file);

// Reads and parses the file at `path`. An absent file (ENOENT, including a dangling symlink)
// is not an error: it means FMC has no proxy configured, and the result is std::nullopt.
// A file that exists but cannot be read is a Error of Kind::kUnreadable; one that does
// not parse, Kind::kInvalid.
Result<std::optional<ProxyFileSettings>> load_proxy_file(const std::string& path);

}  // namespace proxywatch::config
