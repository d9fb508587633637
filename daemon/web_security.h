// The listener's security from the web configuration file (config/web_config.h): a TLS server
// context with the certificate and key (and, with client_auth_type, the client certificates it
// asks for and the CAs it verifies them against), and basic authentication against its bcrypt
// users. An unusable file or certificate is an error, never a silent fallback to plain HTTP: at
// start-up it stops the daemon; later, a reload keeps the last good one (web_config_reload.h).
#pragma once

#include <optional>
#include <string>

#include "common/error.h"
#include "common/output/web/http_server.h"
#include "config/web_config.h"

namespace proxywatch {

// What the listener needs for `web_config_file` (nullopt: plain HTTP, no authentication).
// Errors name the file and what is wrong with it: a Error's text, or OpenSSL's reason for
// a certificate, key or CA file that does not load, or a key that does not match.
Result<HttpSecurity> load_web_security(const std::optional<std::string>& web_config_file);

// The same for a web configuration already parsed: loads the files it names.
Result<HttpSecurity> make_web_security(const config::WebConfig& web);

// What `web` asks of clients, for config-check and the journal: "TLS, client certificates
// RequireAndVerifyClientCert (CAs in /etc/proxywatch/clients.pem), basic authentication (2
// users)", "plain HTTP, no authentication". Never a hash.
std::string describe_web_config(const config::WebConfig& web);

}  // namespace proxywatch
