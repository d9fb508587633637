// The listener's security from the web configuration file (config/web_config.h): a TLS server
// context with the certificate and key, and basic authentication against its bcrypt users.
// Read at start-up; an unusable file or certificate is a start-up error, never a silent
// fallback to plain HTTP.
#pragma once

#include <optional>
#include <string>

#include "common/error.h"
#include "common/output/web/http_server.h"

namespace proxywatch {

// What the listener needs for `web_config_file` (nullopt: plain HTTP, no authentication).
// Errors name the file and what is wrong with it: a Error's text, or OpenSSL's reason for
// a certificate or key that does not load or does not match.
Result<HttpSecurity> load_web_security(const std::optional<std::string>& web_config_file);

}  // namespace proxywatch
