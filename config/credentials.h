// Where the proxy's user name and password come from, in this order:
//   1. the file the YAML key `credentials_file` names;
//   2. the systemd credential `proxy-credentials` ($CREDENTIALS_DIRECTORY/proxy-credentials,
//      from LoadCredential= in the unit);
//   3. PROXY_USER / PROXY_PASSWORD in FMC's iprep_proxy.conf (plan.h applies these).
// A credentials file holds the user name on its first line and the password on its second:
// every byte up to the line end belongs to it (spaces, quotes, ':', '#', UTF-8), only the
// trailing "\n" or "\r\n" is removed. The password never appears in an error message.
#pragma once

#include <optional>
#include <string>

#include <boost/system/result.hpp>

#include "common/probe_spec.h"
#include "config/config_error.h"

namespace proxywatch::config {

// The name of the systemd credential proxywatch reads (LoadCredential=proxy-credentials:PATH).
inline constexpr const char* kSystemdCredentialName = "proxy-credentials";

// Credentials and where they came from ("credentials file /etc/proxywatch/credentials").
struct LoadedCredentials {
  ProxyCredentials credentials;
  std::string source;
};

// Parses a credentials file's text (see the file comment); `file` names it in errors. Errors:
// fewer than two lines, an empty user name, a user name holding ':' (RFC 7617 §2 forbids it),
// more than two non-empty lines, or a NUL byte.
Result<ProxyCredentials> parse_credentials(const std::string& text, const std::string& file);

// Reads the credentials file at `path`. With `require_private`, a file that its group or
// others may read (mode & 077) is refused: the password would be readable by other users.
Result<ProxyCredentials> load_credentials_file(const std::string& path, bool require_private);

// The password file of `check --proxy-password-file`: the whole file without one trailing line
// end. Refused like a credentials file when its group or others may read it, and when it holds
// more than one line.
Result<std::string> load_password_file(const std::string& path);

// The credentials from sources 1 and 2 of the file comment: `credentials_file` when set (it
// must exist and be private), else the systemd credential when `credentials_directory` (the
// value of $CREDENTIALS_DIRECTORY) is set and holds one, else nullopt.
Result<std::optional<LoadedCredentials>> load_credentials(
    const std::optional<std::string>& credentials_file,
    const std::optional<std::string>& credentials_directory);

// $CREDENTIALS_DIRECTORY, or nullopt when unset or empty.
std::optional<std::string> credentials_directory_from_env();

}  // namespace proxywatch::config
