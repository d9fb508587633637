// The command-line flags that override settings of the YAML file, spelt as Prometheus'
// exporters spell them: --web.listen-address (metrics_listen), --web.config.file
// (web_config_file) and --log.level (log_level). A flag given wins over the file at start and
// on every reload (SIGHUP re-reads the file and applies the flags over it again), so
// /etc/default/proxywatch's ARGS stay in force. --log.format, which has no YAML setting, is
// read by the daemon command itself (log.h, LogFormat).
#pragma once

#include <optional>
#include <string>

#include <boost/system/result.hpp>

#include "common/error.h"
#include "common/output/log/log.h"
#include "common/probe_spec.h"
#include "config/yaml_config.h"
#include "daemon/cli_args.h"

namespace proxywatch {

// The flags above and --log.format, for CliArgs::parse's list of flags that take a value.
inline constexpr const char* kConfigOverrideFlags[] = {"--web.listen-address", "--web.config.file",
                                                       "--log.level", "--log.format"};

struct ConfigOverrides {
  std::optional<HostPort> listen_address;
  // "" (--web.config.file=): no web configuration, whatever the file says.
  std::optional<std::string> web_config_file;
  std::optional<config::LogLevel> log_level;

  // Puts the flags given into `config`.
  void apply(config::DaemonConfig& config) const;
  friend bool operator==(const ConfigOverrides&, const ConfigOverrides&) = default;
};

// The overrides among `args`. An error names the flag and what it accepts: the listen address
// must be IP:PORT (the listener binds an address, never a name), the level one of the YAML's
// log_level names.
Result<ConfigOverrides> parse_config_overrides(const CliArgs& args);

// --log.format's value among `args`, kPlain when absent; the error names the flag.
Result<LogFormat> parse_log_format_flag(const CliArgs& args);

}  // namespace proxywatch
