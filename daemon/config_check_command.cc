// The config-check subcommand: load both files as the daemon would, collect every error rather
// than stopping at the first, and print the Plan when there is one.
#include "daemon/config_check_command.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <iterator>
#include <ostream>
#include <set>
#include <system_error>

#include <boost/asio/io_context.hpp>

#include "common/capture/packet_capture.h"
#include "common/error.h"
#include "common/probe/tls_contexts.h"
#include "config/credentials.h"
#include "config/duration.h"
#include "config/plan.h"
#include "daemon/check_command.h"
#include "daemon/cli_args.h"
#include "daemon/web_security.h"

namespace proxywatch {
namespace {

// "confirmation probes: 5s, 10s, 20s after a probe that leaves a verdict unsettled (at most 3
// between two regular probes)", or that they are off.
std::string describe_confirmation(const config::ConfirmConfig& confirm) {
  if (confirm.delays.empty()) return "confirmation probes: off (confirm: {delays: []})\n";
  std::string delays;
  for (Millis d : confirm.delays)
    delays += (delays.empty() ? "" : ", ") + config::format_duration(d);
  return "confirmation probes: " + delays +
         " after a probe that leaves a target's verdict unsettled (at most " +
         std::to_string(confirm.delays.size()) + " between two regular probes)\n";
}

using Errors = std::vector<Error>;

// The YAML configuration as the daemon loads it. Says on `out` which one it is.
Result<config::DaemonConfig> load_config(const ConfigCheckOptions& options, std::ostream& out) {
  auto loaded = config::load_daemon_config(options.config_file, options.config_explicit);
  if (loaded) options.overrides.apply(*loaded);
  if (loaded && loaded->source == config::kBuiltInDefaults) {
    out << "configuration: built-in defaults (" << options.config_file << " does not exist)\n";
  } else {
    out << "configuration: " << options.config_file << "\n";
  }
  return loaded;
}

// Whether `path` opens for reading as a regular file; the error says why not.
Result<void> readable_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return error_text(errno_text(errno));
  struct stat info {};
  Result<void> result;
  if (::fstat(fd, &info) != 0) {
    result = error_text(errno_text(errno));
  } else if (!S_ISREG(info.st_mode)) {
    result = error_text("not a regular file");
  }
  ::close(fd);
  return result;
}

// An error for target `index` of `config`, about its ca_file.
Error ca_error(const config::DaemonConfig& config, std::size_t index, const std::string& what) {
  const config::TargetConfig& target = config.targets[index];
  std::string key = "targets[" + std::to_string(index) + "].ca_file";
  std::string message = key + ": target " + target.name + ": " + what;
  return file_error(config.source, 0, 0, key, std::move(message), Error::Kind::kUnreadable);
}

// Every target's CA file must be readable and hold at least one certificate, or its probes
// could never verify the origin.
void check_ca_files(const config::DaemonConfig& config, Errors& errors) {
  TlsContexts contexts;
  for (std::size_t i = 0; i < config.targets.size(); ++i) {
    const std::string& file = config.targets[i].spec.ca_file;
    if (file.empty()) continue;  // the system trust store
    if (auto readable = readable_file(file); !readable) {
      errors.push_back(ca_error(
          config, i, "cannot read CA file " + in_quotes(file) + ": " + readable.error().message));
    } else if (auto loaded = contexts.get(file); !loaded) {
      errors.push_back(ca_error(config, i, loaded.error().message));
    }
  }
}

// capture: enabled — whether this process could capture, tried on a throwaway io_context. Not
// an error: the daemon starts without the capability and probes without capturing.
void check_capture(const config::CaptureConfig& capture, std::ostream& out) {
  if (!capture.enabled) return;
  boost::asio::io_context io;
  auto opened = PacketCapture::open(io.get_executor());
  if (opened) {
    out << "capture: enabled; this process can capture packets\n";
    return;
  }
  out << "capture: enabled, but this process cannot capture packets: " << opened.error().to_string()
      << "\n  The daemon needs CAP_NET_RAW and AF_PACKET; see the commented drop-in "
         "/usr/share/doc/proxywatch/examples/capture.conf. Without them it probes without "
         "capturing.\n";
}

// web_config_file: loaded as the daemon loads it (the certificate with its key, the client CAs
// and client_auth_type, the users' bcrypt hashes and their cost), so that a file the daemon
// would refuse is found here.
void check_web_config(const config::DaemonConfig& config, std::ostream& out, Errors& errors) {
  if (!config.web_config_file) return;
  auto web = config::load_web_config(*config.web_config_file);
  if (!web) {
    errors.push_back(web.error());
    return;
  }
  if (auto security = make_web_security(*web); !security) {
    errors.push_back(security.error());
    return;
  }
  out << "web configuration: " << *config.web_config_file << ": " << describe_web_config(*web)
      << "\n";
}

int report(const Errors& errors, std::ostream& out, std::ostream& err) {
  if (errors.empty()) {
    out << "configuration OK\n";
    return kExitOk;
  }
  for (const Error& error : errors) {
    err << "proxywatch config-check: " << error.to_string() << "\n";
  }
  err << "configuration invalid\n";
  return kExitConfigInvalid;
}

}  // namespace

std::string config_check_usage() {
  return "usage: proxywatch config-check [--config FILE] [--proxy-file FILE]\n"
         "                               [--web.listen-address IP:PORT] [--web.config.file FILE]\n"
         "                               [--log.level LEVEL] [--log.format logfmt|json]\n"
         "\n"
         "Validates the daemon's YAML file, FMC's proxy file and the web configuration file\n"
         "(web_config_file), prints the plan the daemon would probe, and ends with\n"
         "'configuration OK' or the errors and 'configuration invalid'.\n"
         "\n"
         "  --config FILE      the YAML file (default " +
         std::string(config::kDefaultConfigFile) +
         "; built-in defaults when that is absent)\n"
         "  --proxy-file FILE  the proxy file (default: the YAML file's proxy_file)\n"
         "  --web.listen-address, --web.config.file, --log.level, --log.format\n"
         "                     as for `proxywatch daemon`: laid over the YAML file\n"
         "\n"
         "exit status: 0 configuration OK, 2 configuration invalid or bad usage\n";
}

Result<ConfigCheckOptions> parse_config_check_args(const std::vector<std::string>& argv) {
  std::set<std::string> valued = {"--config", "--proxy-file"};
  valued.insert(std::begin(kConfigOverrideFlags), std::end(kConfigOverrideFlags));
  auto args = CliArgs::parse(argv, valued, {"--help"});
  // ConfigCheckOptions begins with a string, so a bare message would be ambiguous.
  if (!args) return args.error();
  // --log.format has nothing to check against the files; a bad value is still bad usage.
  if (auto format = parse_log_format_flag(*args); !format) return format.error();
  auto overrides = parse_config_overrides(*args);
  if (!overrides) return overrides.error();
  ConfigCheckOptions options;
  options.help = args->has("--help");
  if (auto file = args->value("--config")) {
    options.config_file = *file;
    options.config_explicit = true;
  }
  options.proxy_file = args->value("--proxy-file");
  options.overrides = std::move(*overrides);
  return options;
}

int run_config_check(const ConfigCheckOptions& options, std::ostream& out, std::ostream& err) {
  Errors errors;
  auto config = load_config(options, out);
  if (!config) errors.push_back(config.error());
  // Without a usable YAML file only an explicit --proxy-file says which proxy file to check.
  std::optional<std::string> proxy_file = options.proxy_file;
  if (!proxy_file && config) proxy_file = config->proxy_file;
  bool proxy_loaded = false;
  std::optional<config::ProxyFileSettings> proxy;
  if (proxy_file) {
    auto loaded = config::load_proxy_file(*proxy_file);
    if (loaded) {
      proxy_loaded = true;
      proxy = std::move(*loaded);
    } else {
      errors.push_back(loaded.error());
    }
  }
  std::optional<config::LoadedCredentials> credentials;
  if (config) {
    auto loaded = config::load_credentials(config->credentials_file,
                                           config::credentials_directory_from_env());
    if (loaded) credentials = *loaded;
    if (!loaded) errors.push_back(loaded.error());
  }
  if (config && proxy_loaded) {
    config->proxy_file = *proxy_file;
    out << config::describe_plan(config::make_plan(*config, proxy, credentials));
    out << describe_confirmation(config->confirm);
    check_ca_files(*config, errors);
  }
  if (config) check_web_config(*config, out, errors);
  if (config) check_capture(config->capture, out);
  return report(errors, out, err);
}

int run_config_check_command(const std::vector<std::string>& args, std::ostream& out,
                             std::ostream& err) {
  auto options = parse_config_check_args(args);
  if (!options) {
    err << "proxywatch config-check: " << options.error() << "\n";
    return kExitUsage;
  }
  if (options->help) {
    out << config_check_usage();
    return kExitOk;
  }
  return run_config_check(*options, out, err);
}

}  // namespace proxywatch
