// Running one of the CLI's subcommands in-process, as its unit tests do: the exit status and
// what it wrote to stdout and stderr.
#pragma once

#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace proxywatch::testing {

struct CommandRun {
  int status = 0;
  std::string out;
  std::string err;
};

// Runs `command` (run_check_command and its kin) with `args` and returns what it did.
template <typename Command>
CommandRun run_command(Command command, const std::vector<std::string>& args) {
  std::ostringstream out, err;
  int status = std::invoke(command, args, out, err);
  return {status, out.str(), err.str()};
}

}  // namespace proxywatch::testing
