// `proxywatch status [--listen ADDR] [--config FILE] [--json] [client flags]`: asks the running
// daemon for /status.json on its metrics listener — ADDR, or the metrics_listen of the YAML file
// (default /etc/proxywatch/proxywatch.yaml, then 127.0.0.1:39555) — and prints it as text
// blocks (common/output/status/status_text.h) or, with --json, as the daemon sent it. Over https
// when the daemon's web configuration has TLS (or the flags say so), with a client certificate
// and a user when its listener asks for them (daemon_client.h).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "common/probe_spec.h"
#include "daemon/daemon_client.h"
#include "daemon/exit_status.h"

namespace proxywatch {

// Runs the command; returns kExitStatus* (exit_status.h). Errors go to `err` as one sentence naming
// the address it asked.
int run_status_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The usage text.
std::string status_usage();

}  // namespace proxywatch
