// `proxywatch daemon`: its options, logging set-up, and the io_context the Daemon runs on.
#include <iostream>

#include <spdlog/spdlog.h>

#include "daemon/cli_args.h"
#include "daemon/daemon.h"
#include "daemon/exit_status.h"

namespace proxywatch {

int run_daemon_command(const std::vector<std::string>& args) {
  auto parsed = CliArgs::parse(args, {"--config", "--log-target"}, {"--help"});
  if (!parsed) {
    std::cerr << "proxywatch daemon: " << parsed.error() << "\n";
    return kExitUsage;
  }
  if (parsed->has("--help")) {
    std::cout << "usage: proxywatch daemon [--config FILE] [--log-target auto|journal|stderr]\n";
    return kExitOk;
  }
  DaemonOptions options;
  if (auto path = parsed->value("--config")) {
    options.config_path = *path;
    options.config_explicit = true;
  }
  if (auto target = parsed->value("--log-target")) {
    auto t = parse_log_target(*target);
    if (!t) {
      std::cerr << "proxywatch daemon: --log-target '" << *target
                << "' is not auto, journal or stderr\n";
      return kExitUsage;
    }
    options.log_target = *t;
  }
  init_logging(options.log_target, spdlog::level::info);
  boost::asio::io_context io;
  Daemon daemon(io, options);
  if (auto started = daemon.start(); !started) {
    spdlog::critical("cannot start: {}", started.error());
    return kExitDaemonFailed;
  }
  io.run();
  return kExitOk;
}

}  // namespace proxywatch
