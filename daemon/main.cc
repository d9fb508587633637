// proxywatch's entry point: dispatches to the subcommands; all logic lives in the libraries.
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "daemon/bundle_command.h"
#include "daemon/check_command.h"
#include "daemon/config_check_command.h"
#include "daemon/daemon.h"
#include "daemon/exit_status.h"
#include "daemon/history_command.h"
#include "daemon/status_command.h"
#include "daemon/version.h"

namespace {

constexpr const char* kUsage =
    "usage: proxywatch COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  bundle         gather a support bundle for TAC, secrets masked (see bundle --help)\n"
    "  check          probe the proxy once and print the timeline (see check --help)\n"
    "  config-check   validate the YAML and the proxy file and print the plan\n"
    "  daemon         run the service (see daemon --help)\n"
    "  history        what the probe log holds: since when, how often (see history --help)\n"
    "  status         ask the running daemon how its targets are (see status --help)\n"
    "  version        the version, revision, build date and compiler\n"
    "\n"
    "  --help         this text\n"
    "  --version      the same as version\n";

}  // namespace

int main(int argc, char** argv) try {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kUsage;
    return proxywatch::kExitUsage;
  }
  std::string command = args.front();
  args.erase(args.begin());
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return proxywatch::kExitOk;
  }
  if (command == "--version" || command == "version") {
    std::cout << proxywatch::version_text();
    return proxywatch::kExitOk;
  }
  if (command == "bundle") return proxywatch::run_bundle_command(args, std::cout, std::cerr);
  if (command == "check") return proxywatch::run_check_command(args, std::cout, std::cerr);
  if (command == "config-check") {
    return proxywatch::run_config_check_command(args, std::cout, std::cerr);
  }
  if (command == "daemon") return proxywatch::run_daemon_command(args);
  if (command == "history") return proxywatch::run_history_command(args, std::cout, std::cerr);
  if (command == "status") return proxywatch::run_status_command(args, std::cout, std::cerr);
  std::cerr << "proxywatch: unknown command '" << command << "'\n" << kUsage;
  return proxywatch::kExitUsage;
} catch (const std::exception& e) {
  std::cerr << "proxywatch: fatal: " << e.what() << "\n";
  return proxywatch::kExitSoftware;
}
