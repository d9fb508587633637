// Reading the override flags and laying them over the YAML file's settings.
#include "daemon/config_overrides.h"

#include <array>

namespace proxywatch {
namespace {

constexpr std::array kLogLevels = {config::LogLevel::kTrace, config::LogLevel::kDebug,
                                   config::LogLevel::kInfo, config::LogLevel::kWarn,
                                   config::LogLevel::kError};

Result<HostPort> parse_listen_address(const std::string& text) {
  auto address = parse_host_port(text, std::nullopt);
  if (address && is_ip_literal(address->host)) return *address;
  std::string why =
      address ? "'" + address->host + "' is not an IP address" : address.error().message;
  return error_text("--web.listen-address '" + text +
                    "': expected IP:PORT like 127.0.0.1:39555 or [::1]:39555: " + why);
}

Result<config::LogLevel> parse_log_level(const std::string& text) {
  for (config::LogLevel level : kLogLevels) {
    if (text == config::to_string(level)) return level;
  }
  return error_text("--log.level '" + text + "' is not one of trace, debug, info, warn, error");
}

}  // namespace

void ConfigOverrides::apply(config::DaemonConfig& config) const {
  if (listen_address) config.metrics_listen = *listen_address;
  if (web_config_file) {
    config.web_config_file =
        web_config_file->empty() ? std::nullopt : std::optional<std::string>(*web_config_file);
  }
  if (log_level) config.log_level = *log_level;
}

Result<ConfigOverrides> parse_config_overrides(const CliArgs& args) {
  ConfigOverrides out;
  if (auto text = args.value("--web.listen-address")) {
    auto address = parse_listen_address(*text);
    if (!address) return address.error();
    out.listen_address = *address;
  }
  out.web_config_file = args.value("--web.config.file");
  if (auto text = args.value("--log.level")) {
    auto level = parse_log_level(*text);
    if (!level) return level.error();
    out.log_level = *level;
  }
  return out;
}

Result<LogFormat> parse_log_format_flag(const CliArgs& args) {
  auto text = args.value("--log.format");
  if (!text) return LogFormat::kPlain;
  auto format = parse_log_format(*text);
  if (!format) return error_text("--log.format '" + *text + "' is not logfmt or json");
  return *format;
}

}  // namespace proxywatch
