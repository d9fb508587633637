// The web configuration file that Prometheus exporters share (exporter-toolkit's
// `--web.config.file` format), for a listener that a central Prometheus reaches off loopback:
//
//   tls_server_config:
//     cert_file: /etc/proxywatch/web.crt   # PEM, the chain; relative paths are relative to
//     key_file: /etc/proxywatch/web.key    # the directory of this file
//   basic_auth_users:
//     prometheus: $2y$10$...                # bcrypt hashes (htpasswd -nBC 10 "" | tr -d ':\n')
//
// proxywatch reads these keys. Others of exporter-toolkit (client certificates, TLS versions,
// cipher suites, http_server_config) are refused with an error rather than silently ignored.
#pragma once

#include <map>
#include <optional>
#include <string>

#include <boost/system/result.hpp>

#include "config/config_error.h"

namespace proxywatch::config {

// The highest bcrypt cost accepted: each verification at cost 14 takes about 0.2 s of a core
// (doubling with each step; 55 ms at 12, the cost the docs suggest). A higher one (up to 31,
// which takes days) would let each request with a wrong password occupy a worker for seconds.
inline constexpr int kMaxBcryptCost = 14;

struct WebConfig {
  std::string source;     // the file it was read from, for messages
  std::string cert_file;  // empty: no TLS (plain HTTP)
  std::string key_file;
  // User name → bcrypt hash ($2a$, $2b$ or $2y$). Empty: no authentication.
  std::map<std::string, std::string> basic_auth_users;

  bool tls() const { return !cert_file.empty(); }
};

// Parses the web configuration `text`; `source_name` names it in errors and relative paths are
// resolved against its directory. An empty document means plain HTTP without authentication.
// Errors: YAML syntax, unknown or unsupported keys, cert_file without key_file (or the reverse),
// a user whose hash is not bcrypt or costs more than kMaxBcryptCost. Error messages never quote a
// hash.
boost::system::result<WebConfig, Error> parse_web_config(const std::string& text,
                                                         const std::string& source_name);

// Reads and parses the file at `path` (see read_text_file for the file errors).
boost::system::result<WebConfig, Error> load_web_config(const std::string& path);

}  // namespace proxywatch::config
