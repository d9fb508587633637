// `proxywatch daemon`: its options, logging set-up, and the io_context the Daemon runs on.
#include <iostream>
#include <iterator>
#include <set>

#include <spdlog/spdlog.h>

#include "daemon/cli_args.h"
#include "daemon/config_overrides.h"
#include "daemon/config_state.h"
#include "daemon/daemon.h"
#include "daemon/exit_status.h"

namespace proxywatch {
namespace {

constexpr const char* kDaemonUsage =
    "usage: proxywatch daemon [--config FILE] [--log-target auto|journal|stderr]\n"
    "                         [--web.listen-address IP:PORT] [--web.config.file FILE]\n"
    "                         [--log.level LEVEL] [--log.format logfmt|json]\n"
    "\n"
    "  --config FILE                  the YAML file (default /etc/proxywatch/proxywatch.yaml)\n"
    "  --log-target TARGET            where logs go: the journal when systemd connected stderr\n"
    "                                 to it (auto, the default), journal, or stderr\n"
    "  --web.listen-address IP:PORT   overrides metrics_listen\n"
    "  --web.config.file FILE         overrides web_config_file ('' for none)\n"
    "  --log.level LEVEL              overrides log_level: trace, debug, info, warn, error\n"
    "  --log.format FORMAT            how lines to stderr look: logfmt or json (default: plain\n"
    "                                 'TIME LEVEL message'); the journal keeps its fields\n"
    "\n"
    "A flag given wins over the YAML file at start and on every reload (SIGHUP).\n";

}  // namespace

Result<DaemonOptions> parse_daemon_args(const std::vector<std::string>& args) {
  std::set<std::string> valued = {"--config", "--log-target"};
  valued.insert(std::begin(kConfigOverrideFlags), std::end(kConfigOverrideFlags));
  auto parsed = CliArgs::parse(args, valued, {"--help"});
  if (!parsed) return parsed.error();
  DaemonOptions options;
  options.help = parsed->has("--help");
  if (auto path = parsed->value("--config")) {
    options.config_path = *path;
    options.config_explicit = true;
  }
  if (auto target = parsed->value("--log-target")) {
    auto t = parse_log_target(*target);
    if (!t) return error_text("--log-target '" + *target + "' is not auto, journal or stderr");
    options.log_target = *t;
  }
  auto format = parse_log_format_flag(*parsed);
  if (!format) return format.error();
  options.log_format = *format;
  auto overrides = parse_config_overrides(*parsed);
  if (!overrides) return overrides.error();
  options.overrides = std::move(*overrides);
  return options;
}

int run_daemon_command(const std::vector<std::string>& args) {
  auto options = parse_daemon_args(args);
  if (!options) {
    std::cerr << "proxywatch daemon: " << options.error() << "\n";
    return kExitUsage;
  }
  if (options->help) {
    std::cout << kDaemonUsage;
    return kExitOk;
  }
  init_logging(options->log_target, spdlog::level::info, options->log_format);
  // Until the YAML file is read, at the level the command line gives, or info.
  if (options->overrides.log_level) set_log_level(*options->overrides.log_level);
  boost::asio::io_context io;
  Daemon daemon(io, *options);
  if (auto started = daemon.start(); !started) {
    spdlog::critical("cannot start: {}", started.error());
    return kExitDaemonFailed;
  }
  io.run();
  return kExitOk;
}

}  // namespace proxywatch
