// The status subcommand: where the daemon listens and how to speak to it (daemon_client.h),
// one GET of /status.json, and the text of what came back.
#include "daemon/status_command.h"

#include <cstdlib>
#include <set>

#include <fmt/format.h>

#include "common/output/status/status_json.h"
#include "common/output/status/status_text.h"
#include "common/probe_spec.h"
#include "config/web_config.h"
#include "config/yaml_config.h"
#include "daemon/cli_args.h"

namespace proxywatch {
namespace {

// Where to ask, and a phrase saying where that address came from.
struct Listener {
  HostPort address{};
  std::string origin{};
  std::optional<bool> tls{};  // what web_config_file says, or the scheme given
  bool scheme_given = false;  // https:// or http:// in --listen: it decides
};

// "https://ADDR:PORT", "http://ADDR:PORT" or "ADDR:PORT" → the address and the scheme if any.
Result<Listener> listener_from_flag(std::string text) {
  Listener listener{.origin = "--listen"};
  for (const bool tls : {true, false}) {
    const std::string prefix = tls ? "https://" : "http://";
    if (text.starts_with(prefix)) {
      text = text.substr(prefix.size());
      listener.tls = tls;
      listener.scheme_given = true;
    }
  }
  auto parsed = parse_host_port(text, config::kDefaultMetricsPort);
  if (!parsed) return in_context("--listen: ", parsed.error());
  listener.address = *parsed;
  return listener;
}

Result<Listener> find_listener(const CliArgs& args) {
  if (auto listen = args.value("--listen")) return listener_from_flag(*listen);
  auto path = args.value("--config");
  std::string file = path ? *path : std::string(config::kDefaultConfigFile);
  auto loaded = config::load_daemon_config(file, path.has_value());
  if (!loaded) return error_text(loaded.error().to_string());
  Listener listener{.address = loaded->metrics_listen,
                    .origin = "metrics_listen of " + loaded->source};
  // https when the daemon's web configuration has TLS (one this user may not read says
  // nothing: the flags decide).
  if (loaded->web_config_file) {
    if (auto web = config::load_web_config(*loaded->web_config_file)) listener.tls = web->tls();
  }
  return listener;
}

std::optional<std::string> password_from_environment() {
  const char* value = std::getenv(kPasswordVariable);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

}  // namespace

std::string status_usage() {
  return "usage: proxywatch status [--listen [https://]ADDR:PORT] [--config FILE] [--json]\n"
         "         [--ca-file FILE] [--server-name NAME] [--cert-file FILE --key-file FILE]\n"
         "         [--user NAME [--password-file FILE]]\n"
         "\n"
         "Asks the running daemon for its view (/status.json) and prints one block per\n"
         "target: health, diagnoses with what to check next, the last probes per phase.\n"
         "\n"
         "  --listen ADDR:PORT  the daemon's metrics listener (default: metrics_listen of\n"
         "                      the YAML file, 127.0.0.1:39555 without one); https:// or\n"
         "                      http:// in front chooses the scheme (default: https when\n"
         "                      the YAML's web_config_file has TLS or a TLS flag is given)\n"
         "  --config FILE       the YAML file (default /etc/proxywatch/proxywatch.yaml)\n"
         "  --json              print /status.json as the daemon sent it\n" +
         client_flags_usage() +
         "\n"
         "exit status: 0 every target healthy, 1 some target not (or no proxy),\n"
         "  2 the daemon cannot be reached (or bad usage)\n";
}

int run_status_command(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
  std::set<std::string> valued = client_flags();
  valued.insert({"--listen", "--config"});
  auto args = CliArgs::parse(argv, valued, {"--json", "--help"});
  if (!args) {
    err << "proxywatch status: " << args.error() << "\n";
    return kExitStatusUnreachable;
  }
  if (args->has("--help")) {
    out << status_usage();
    return kExitStatusHealthy;
  }
  auto client = daemon_client_from_args(*args, password_from_environment());
  if (!client) {
    err << "proxywatch status: " << client.error() << "\n";
    return kExitStatusUnreachable;
  }
  auto listener = find_listener(*args);
  if (!listener) {
    err << "proxywatch status: " << listener.error() << "\n";
    return kExitStatusUnreachable;
  }
  if (listener->scheme_given) {
    client->tls = *listener->tls;
  } else if (listener->tls) {
    client->tls = client->tls || *listener->tls;
  }
  std::string where = client->scheme() + "://" + listener->address.to_string() + "/status.json";
  auto body = fetch_from_daemon(listener->address, "/status.json", *client);
  if (!body) {
    err << "proxywatch status: cannot reach the daemon at " << where << " (" << listener->origin
        << "): " << body.error() << "; is it running (systemctl status proxywatch)?\n";
    return kExitStatusUnreachable;
  }
  auto snapshot = status_from_json(*body);
  if (!snapshot) {
    err << "proxywatch status: " << where << " is not proxywatch's status: " << snapshot.error()
        << "\n";
    return kExitStatusUnreachable;
  }
  if (args->has("--json")) {
    out << *body;
  } else {
    out << format_status_text(*snapshot, listener->address.to_string());
  }
  return snapshot->all_healthy() ? kExitStatusHealthy : kExitStatusNotHealthy;
}

}  // namespace proxywatch
