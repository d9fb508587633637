// The history subcommand: its flags, where the database is, and which output.
#include "daemon/history_command.h"

#include <chrono>

#include "common/output/json/json_fields.h"
#include "config/yaml_config.h"
#include "daemon/cli_args.h"
#include "daemon/history_export.h"
#include "daemon/history_request.h"
#include "daemon/history_text.h"

namespace proxywatch {
namespace {

HistoryParams history_cli_params(const CliArgs& args) {
  return {.since = args.value("--since"),
          .from = args.value("--from"),
          .to = args.value("--to"),
          .target = args.value("--target"),
          .service = args.value("--service"),
          .proxy = args.value("--proxy"),
          .failures = args.has("--failures")};
}

// --db, or history.db in the YAML file's state_dir.
Result<std::string> history_db_from_args(const CliArgs& args) {
  if (auto db = args.value("--db")) return *db;
  auto path = args.value("--config");
  std::string file = path ? *path : std::string(config::kDefaultConfigFile);
  auto loaded = config::load_daemon_config(file, path.has_value());
  if (!loaded) return error_text(loaded.error().to_string());
  return history_database_path(loaded->state_dir);
}

// "PATH: why", naming the path once (the store's errors mostly name it already).
std::string history_about_database(const std::string& path, const Error& error) {
  std::string text = error.to_string();
  return text.find(path) == std::string::npos ? path + ": " + text : text;
}

// The advice after a database that does not open.
std::string history_open_advice(const Error& error) {
  if (error.kind == Error::Kind::kNotFound) {
    return "; the daemon creates it in state_dir once it runs (--db FILE reads another)";
  }
  return "";
}

}  // namespace

std::string history_usage() {
  return "usage: proxywatch history [--since DURATION | --from T [--to T]] [--target NAME]\n"
         "                         [--service S] [--proxy HOST:PORT] [--failures]\n"
         "                         [--json | --csv] [--db FILE] [--config FILE]\n"
         "\n"
         "Reads the probe log (history.db in state_dir) and prints, per proxy and target,\n"
         "the probes and failures of the range, the outcomes, the median and p95 duration,\n"
         "since when each health state and diagnosis lasted. Works while the daemon is down.\n"
         "\n"
         "  --since DURATION   the last DURATION: 90s, 30m, 6h, 7d, 1d12h (default 24h)\n"
         "  --from T, --to T   from T (inclusive) to T (exclusive; default now): RFC 3339\n"
         "                     UTC as 2026-12-04T02:00:00Z, or a date (its 00:00 UTC)\n"
         "  --target NAME      only this target (its name in the YAML)\n"
         "  --service S        only targets of this service: licensing,\n"
         "                     security_intelligence, updates, amp, custom\n"
         "  --proxy HOST:PORT  only probes through this proxy\n"
         "  --failures         list each failed probe with its sentence (--json, --csv:\n"
         "                     only the failed probes)\n"
         "  --json             the JSON of /history.json: probes and intervals\n"
         "  --csv              one row per probe, with a header row (RFC 4180)\n"
         "  --db FILE          read this database (a copy, say) instead of state_dir's\n"
         "  --config FILE      the YAML file naming state_dir\n"
         "                     (default /etc/proxywatch/proxywatch.yaml)\n"
         "\n"
         "exit status: 0 answered (even with nothing in the range), 1 no database or not a\n"
         "  proxywatch history, 2 bad usage\n";
}

int run_history_command(const std::vector<std::string>& argv, std::ostream& out,
                        std::ostream& err) {
  auto args = CliArgs::parse(
      argv, {"--since", "--from", "--to", "--target", "--service", "--proxy", "--db", "--config"},
      {"--failures", "--json", "--csv", "--help"});
  if (!args) {
    err << "proxywatch history: " << args.error() << " (see proxywatch history --help)\n";
    return kExitUsage;
  }
  if (args->has("--help")) {
    out << history_usage();
    return kExitOk;
  }
  if (args->has("--json") && args->has("--csv")) {
    err << "proxywatch history: --json and --csv exclude each other: write one of them\n";
    return kExitUsage;
  }
  WallTime now = std::chrono::system_clock::now();
  auto query = parse_history_params(history_cli_params(*args), now, "--");
  if (!query) {
    err << "proxywatch history: " << query.error() << "\n";
    return kExitUsage;
  }
  auto path = history_db_from_args(*args);
  if (!path) {
    err << "proxywatch history: " << path.error() << " (--db FILE names the database)\n";
    return kExitUsage;
  }
  auto store = ProbeStore::open_read_only(*path);
  if (!store) {
    err << "proxywatch history: " << history_about_database(*path, store.error())
        << history_open_advice(store.error()) << "\n";
    return kExitHistoryUnavailable;
  }
  bool text = !args->has("--json") && !args->has("--csv");
  HistoryQuery read = *query;
  // The text's figures count every probe; --failures only chooses what it lists.
  if (text) read.failures_only = false;
  auto report = read_history(**store, read, kHistoryCommandProbeLimit);
  if (!report) {
    err << "proxywatch history: cannot read " << history_about_database(*path, report.error())
        << "\n";
    return kExitHistoryUnavailable;
  }
  if (args->has("--json")) {
    out << serialize(history_json(*report, kHistoryCommandProbeLimit)) << "\n";
  } else if (args->has("--csv")) {
    out << history_csv(*report);
  } else {
    out << format_history_text(*report, *path, now, query->failures_only);
  }
  return kExitOk;
}

}  // namespace proxywatch
