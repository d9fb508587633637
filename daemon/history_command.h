// `proxywatch history [--since DURATION | --from T --to T] [--target NAME] [--service S]
// [--proxy HOST:PORT] [--failures] [--json | --csv] [--db FILE] [--config FILE]`: reads the
// probe log directly, read-only, so it answers while the daemon is down and from a copied file.
// The database is --db, or history.db in the state_dir of the YAML file (default
// /etc/proxywatch/proxywatch.yaml, then /var/lib/proxywatch). Prints the summary per pair
// (daemon/history_text.h), or the JSON of /history.json, or CSV (daemon/history_export.h).
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "daemon/exit_status.h"

namespace proxywatch {

// The most probes one run reads (the newest): a bound on its memory, about 150 MB.
inline constexpr std::size_t kHistoryCommandProbeLimit = 500'000;

// Runs the command: kExitOk, kExitHistoryUnavailable (no database, or not a history) or
// kExitUsage, with one sentence on `err` saying what to do.
int run_history_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The usage text.
std::string history_usage();

}  // namespace proxywatch
