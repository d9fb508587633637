// The web configuration file that Prometheus exporters share (exporter-toolkit's
// `--web.config.file` format), for a listener that a central Prometheus reaches off loopback:
//
//   tls_server_config:
//     cert_file: /etc/proxywatch/web.crt   # PEM, the chain; relative paths are relative to
//     key_file: /etc/proxywatch/web.key    # the directory of this file
//     client_auth_type: RequireAndVerifyClientCert   # mutual TLS (default NoClientCert)
//     client_ca_file: /etc/proxywatch/clients-ca.pem # the CAs client certificates chain to
//   basic_auth_users:
//     prometheus: $2y$10$...                # bcrypt hashes (htpasswd -nBC 10 "" | tr -d ':\n')
//
// proxywatch reads these keys. Others of exporter-toolkit (inline cert/key/client_ca, TLS
// versions, cipher suites, curves, client_allowed_sans, http_server_config, rate_limit) are
// refused with an error rather than silently ignored.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <boost/system/result.hpp>

#include "config/config_error.h"

namespace proxywatch::config {

// The highest bcrypt cost accepted: each verification at cost 14 takes about 0.2 s of a core
// (doubling with each step; 55 ms at 12, the cost the docs suggest). A higher one (up to 31,
// which takes days) would let each request with a wrong password occupy a worker for seconds.
inline constexpr int kMaxBcryptCost = 14;

// exporter-toolkit's client_auth_type values (Go's tls.ClientAuthType), with their meaning:
enum class ClientAuth {
  kNone,              // NoClientCert: no certificate is asked for (the default)
  kRequest,           // RequestClientCert: asked for, neither required nor verified
  kRequireAny,        // RequireAnyClientCert ("RequireClientCert"): required, not verified
  kVerifyIfGiven,     // VerifyClientCertIfGiven: optional, verified against client_ca_file
  kRequireAndVerify,  // RequireAndVerifyClientCert: required and verified (mutual TLS)
};

// The client_auth_type name of `auth` ("RequireAndVerifyClientCert").
std::string_view client_auth_name(ClientAuth auth);

struct WebConfig {
  std::string source;     // the file it was read from, for messages
  std::string cert_file;  // empty: no TLS (plain HTTP)
  std::string key_file;
  ClientAuth client_auth = ClientAuth::kNone;
  std::string client_ca_file;  // empty: none (only allowed without verification)
  // User name → bcrypt hash ($2a$, $2b$ or $2y$). Empty: no authentication.
  std::map<std::string, std::string> basic_auth_users;

  bool tls() const { return !cert_file.empty(); }
};

// Parses the web configuration `text`; `source_name` names it in errors and relative paths are
// resolved against its directory. An empty document means plain HTTP without authentication.
// Errors: YAML syntax, unknown or unsupported keys, cert_file without key_file (or the reverse),
// an unknown client_auth_type, client_ca_file with NoClientCert (as exporter-toolkit), a verifying
// client_auth_type without client_ca_file (where Go would trust the system's CAs, which any
// public CA's customer could pass), a user whose hash is not bcrypt or costs more than
// kMaxBcryptCost. Error messages never quote a hash.
boost::system::result<WebConfig, Error> parse_web_config(const std::string& text,
                                                         const std::string& source_name);

// Reads and parses the file at `path` (see read_text_file for the file errors).
boost::system::result<WebConfig, Error> load_web_config(const std::string& path);

}  // namespace proxywatch::config
