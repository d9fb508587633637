// `proxywatch config-check`: validates the daemon's YAML file and FMC's proxy file the way
// `nginx -t` validates nginx's, prints the Plan the daemon would run, and exits 0 when the
// configuration is usable or 2 with every error as FILE:LINE:COL: message.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/system/result.hpp>

#include "common/error.h"
#include "config/yaml_config.h"
#include "daemon/config_overrides.h"
#include "daemon/exit_status.h"

namespace proxywatch {

struct ConfigCheckOptions {
  // The YAML file. Named explicitly (--config), it must exist; the default may be absent,
  // and then the built-in defaults are checked.
  std::string config_file{config::kDefaultConfigFile};
  bool config_explicit = false;
  // --proxy-file; otherwise the YAML file's proxy_file.
  std::optional<std::string> proxy_file;
  // --web.listen-address, --web.config.file, --log.level: checked as the daemon would apply
  // them over the file (so `config-check $ARGS` checks what the unit runs).
  ConfigOverrides overrides{};
  bool help = false;
};

// Reads the config-check subcommand's flags; the error names the offending flag.
Result<ConfigCheckOptions> parse_config_check_args(const std::vector<std::string>& args);

// Checks the configuration `options` names: writes the plan, its warnings and
// "configuration OK" to `out` and returns 0; or writes each error and "configuration invalid"
// to `err` and returns kExitConfigInvalid. Errors: the YAML file (absent when explicit, unreadable
// or invalid), the proxy file (unreadable or invalid; absent only disables the proxy), a target's
// ca_file that cannot be read or holds no certificate. Never prints a password.
int run_config_check(const ConfigCheckOptions& options, std::ostream& out, std::ostream& err);

// Runs `proxywatch config-check` with `args`; returns the exit status (2 for bad usage too).
int run_config_check_command(const std::vector<std::string>& args, std::ostream& out,
                             std::ostream& err);

// The usage text of `proxywatch config-check`.
std::string config_check_usage();

}  // namespace proxywatch
