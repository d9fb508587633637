// DaemonClient: what a client of the daemon's own listener (`proxywatch status`, the bundle)
// needs when the web configuration file protects it — https with the CA to verify the daemon's
// certificate against, a client certificate for client_auth_type, a user and password for
// basic_auth_users — and one GET with a deadline (Beast, on a private io_context).
//
// The password never comes from the command line, where `ps` and the shell's history show it:
// from the environment (PROXYWATCH_PASSWORD) or a file. It is sent only in the Authorization
// header and never reaches a message.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "common/error.h"
#include "common/probe_spec.h"
#include "daemon/cli_args.h"

namespace proxywatch {

// The environment variable `--user` takes its password from.
inline constexpr const char* kPasswordVariable = "PROXYWATCH_PASSWORD";

struct DaemonClient {
  bool tls = false;         // https
  std::string ca_file;      // CAs to verify the daemon's certificate; empty: the system's
  std::string server_name;  // the name verified (and sent as SNI); empty: the address asked
  std::string cert_file;    // a client certificate and its key; empty: none
  std::string key_file;
  std::string user;      // basic authentication; empty: none
  std::string password;  // never printed

  // "https" or "http".
  std::string scheme() const { return tls ? "https" : "http"; }
};

// The flags client_flags() lists, read from `args`: --ca-file, --server-name, --cert-file and
// --key-file (both or neither), --user with --password-file or `env_password` (the value of
// PROXYWATCH_PASSWORD). Any of the TLS flags means https. Errors: a key without its
// certificate (or the reverse), --user without a password, a password file that cannot be read.
Result<DaemonClient> daemon_client_from_args(const CliArgs& args,
                                             std::optional<std::string> env_password);

// The valued flags daemon_client_from_args reads.
const std::set<std::string>& client_flags();

// The usage lines of those flags.
std::string client_flags_usage();

// The body of GET `path` from the daemon's listener at `address` (a listener on every address
// is asked on loopback) as `client`, within 5 s; an error names what went wrong (no answer, a
// failed TLS handshake and what to give, 401, not 200) and never the password.
Result<std::string> fetch_from_daemon(const HostPort& address, const std::string& path,
                                      const DaemonClient& client = {});

}  // namespace proxywatch
