// `proxywatch status [--listen ADDR] [--config FILE] [--json]`: asks the running daemon for
// /status.json on its metrics listener — ADDR, or the metrics_listen of the YAML file (default
// /etc/proxywatch/proxywatch.yaml, then 127.0.0.1:39555) — and prints it as text blocks
// (common/output/status/status_text.h) or, with --json, as the daemon sent it.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "common/probe_spec.h"
#include "daemon/exit_status.h"

namespace proxywatch {

// Runs the command; returns kExitStatus* (exit_status.h). Errors go to `err` as one sentence naming
// the address it asked.
int run_status_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The body of GET `path` from the daemon's listener at `address` (a listener on every address
// is asked on loopback), within 5 s; an error names what went wrong (no answer, 401, not 200).
Result<std::string> fetch_from_daemon(const HostPort& address, const std::string& path);

// The usage text.
std::string status_usage();

}  // namespace proxywatch
