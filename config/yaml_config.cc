// The schema of the daemon's YAML file: which keys exist, their defaults and the checks that
// span keys. yaml_reader does the typed reading and error placement.
#include "config/yaml_config.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>

#include "common/text_result.h"
#include "config/duration.h"
#include "config/host_syntax.h"
#include "config/text_file.h"
#include "config/yaml_documents.h"
#include "config/yaml_reader.h"

namespace proxywatch::config {
namespace {

using MaybeError = std::optional<ConfigError>;

constexpr std::array<std::string_view, 14> kTopKeys = {
    "proxy_file",       "metrics_listen", "interval",
    "jitter",           "timeouts",       "state_dir",
    "credentials_file", "log_level",      "max_concurrent_probes",
    "targets",          "mtu_probe",      "health",
    "web_config_file",  "refuse_basic_auth"};
constexpr std::array<std::string_view, 7> kTimeoutKeys = {
    "dns", "tcp_connect", "proxy_connect", "tls_handshake", "http_first_byte", "transfer", "stall"};
constexpr std::array<std::string_view, 11> kTargetKeys = {
    "name",     "host",     "port",   "ca_file",          "request",      "max_bytes",
    "interval", "timeouts", "expect", "http_error_fails", "expect_issuer"};
constexpr std::array<std::string_view, 10> kHealthKeys = {
    "window_probes",    "window_duration",   "min_samples",      "failing_after",
    "recover_after",    "degraded_percent",  "persistent_after", "overload_percent",
    "flapping_changes", "transfer_cut_after"};
constexpr std::uint64_t kMaxWindowProbes = 10'000;
constexpr std::array<std::string_view, 2> kMtuKeys = {"enabled", "interval"};
// In LogLevel's order: to_string() indexes it.
constexpr std::array<std::string_view, 5> kLogLevels = {"trace", "debug", "info", "warn", "error"};
constexpr std::array<std::string_view, 2> kDefaultTargetHosts = {"tools.cisco.com",
                                                                 "smartreceiver.cisco.com"};
constexpr std::uint16_t kDefaultTargetPort = 443;
constexpr std::uint64_t kMaxConcurrentProbes = 10'000;

// A duration no longer than `max`: past a sane bound a value is a typo, and near 2^63 ms it
// overflows steady_clock (`interval: 3000000h` ran probes back to back).
TextResult<Millis> to_bounded_duration(const YAML::Node& node, Millis max) {
  auto duration = to_duration(node);
  if (duration && *duration > max) {
    return error_text("must be at most " + format_duration(max) + ", got " +
                      format_duration(*duration));
  }
  return duration;
}

TextResult<Millis> to_positive_duration(const YAML::Node& node, Millis max) {
  auto duration = to_bounded_duration(node, max);
  if (duration && *duration == Millis::zero()) return error_text("must be longer than 0s");
  return duration;
}

TextResult<Millis> to_interval(const YAML::Node& node) {
  return to_positive_duration(node, kMaxInterval);
}

TextResult<Millis> to_timeout(const YAML::Node& node) {
  return to_positive_duration(node, kMaxTimeout);
}

TextResult<Millis> to_jitter(const YAML::Node& node) {
  return to_bounded_duration(node, kMaxJitter);
}

TextResult<Millis> to_mtu_interval(const YAML::Node& node) {
  return to_positive_duration(node, kMaxMtuInterval);
}

TextResult<std::string> to_path(const YAML::Node& node) {
  auto text = to_text(node);
  if (text && text->empty()) return error_text("must not be empty");
  return text;
}

TextResult<HostPort> to_listen_address(const YAML::Node& node) {
  auto text = to_text(node);
  if (!text) return error_text(text.error());
  auto address = parse_host_port(*text, std::nullopt);
  if (!address) return error_text("expected HOST:PORT like 127.0.0.1:39555: " + address.error());
  return *address;
}

TextResult<LogLevel> to_log_level(const YAML::Node& node) {
  for (std::size_t i = 0; i < kLogLevels.size(); ++i) {
    if (node.IsScalar() && node.Scalar() == kLogLevels[i]) return static_cast<LogLevel>(i);
  }
  return error_text("expected one of trace, debug, info, warn, error, got " + describe_node(node));
}

MaybeError read_timeouts(const YamlMap& parent, PhaseTimeouts& timeouts) {
  const YAML::Node* node = parent.find("timeouts");
  if (!node) return std::nullopt;
  auto map = YamlMap::open(*node, parent.source(), parent.path_of("timeouts"), kTimeoutKeys);
  if (!map) return map.error();
  std::array<Millis*, kTimeoutKeys.size()> fields = {
      &timeouts.dns,           &timeouts.tcp_connect,     &timeouts.proxy_connect,
      &timeouts.tls_handshake, &timeouts.http_first_byte, &timeouts.transfer,
      &timeouts.stall};
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (auto error = read_key(*map, kTimeoutKeys[i], *fields[i], to_timeout)) {
      return error;
    }
  }
  return std::nullopt;
}

MaybeError read_mtu_probe(const YamlMap& parent, MtuProbeConfig& mtu) {
  const YAML::Node* node = parent.find("mtu_probe");
  if (!node) return std::nullopt;
  auto map = YamlMap::open(*node, parent.source(), parent.path_of("mtu_probe"), kMtuKeys);
  if (!map) return map.error();
  if (auto error = read_key(*map, "enabled", mtu.enabled, to_bool)) return error;
  return read_key(*map, "interval", mtu.interval, to_mtu_interval);
}

TextResult<std::uint32_t> to_count(const YAML::Node& node, std::uint64_t min, std::uint64_t max) {
  auto n = to_integer(node, min, max);
  if (!n) return error_text(n.error());
  return static_cast<std::uint32_t>(*n);
}

TextResult<std::chrono::seconds> to_window_duration(const YAML::Node& node) {
  auto d = to_bounded_duration(node, kMaxWindowDuration);
  if (!d) return error_text(d.error());
  if (*d < std::chrono::seconds(1)) return error_text("must be at least 1s");
  return std::chrono::duration_cast<std::chrono::seconds>(*d);
}

MaybeError read_health_counts(const YamlMap& map, HealthSettings& h) {
  struct Count {
    std::string_view key;
    std::uint32_t* field;
    std::uint64_t min, max;
  };
  const std::array<Count, 9> counts = {{
      {"window_probes", &h.window_probes, 2, kMaxWindowProbes},
      {"min_samples", &h.min_samples, 1, kMaxWindowProbes},
      {"failing_after", &h.failing_after, 1, kMaxWindowProbes},
      {"recover_after", &h.recover_after, 1, kMaxWindowProbes},
      {"degraded_percent", &h.degraded_percent, 1, 100},
      {"persistent_after", &h.persistent_after, 1, kMaxWindowProbes},
      {"overload_percent", &h.overload_percent, 1, 100},
      {"flapping_changes", &h.flapping_changes, 2, kMaxWindowProbes},
      {"transfer_cut_after", &h.transfer_cut_after, 1, kMaxWindowProbes},
  }};
  for (const Count& c : counts) {
    auto convert = [&](const YAML::Node& node) { return to_count(node, c.min, c.max); };
    if (auto error = read_key(map, c.key, *c.field, convert)) return error;
  }
  return std::nullopt;
}

// Rules that count probes in the window need a window that can hold that many.
MaybeError check_health(const YamlMap& map, const HealthSettings& h) {
  const std::array<std::pair<std::string_view, std::uint32_t>, 3> counted = {
      {{"min_samples", h.min_samples},
       {"persistent_after", h.persistent_after},
       {"flapping_changes", h.flapping_changes}}};
  for (const auto& [key, value] : counted) {
    if (value > h.window_probes) {
      return map.error(map.find(key) ? key : "window_probes",
                       std::string(key) + " (" + std::to_string(value) +
                           ") must not exceed window_probes (" + std::to_string(h.window_probes) +
                           ")");
    }
  }
  return std::nullopt;
}

MaybeError read_health(const YamlMap& parent, HealthSettings& h) {
  const YAML::Node* node = parent.find("health");
  if (!node) return std::nullopt;
  auto map = YamlMap::open(*node, parent.source(), parent.path_of("health"), kHealthKeys);
  if (!map) return map.error();
  if (auto error = read_health_counts(*map, h)) return error;
  if (auto error = read_key(*map, "window_duration", h.window_duration, to_window_duration)) {
    return error;
  }
  return check_health(*map, h);
}

TargetConfig default_target(const DaemonConfig& config, std::string_view host) {
  TargetConfig target;
  target.spec.target = HostPort{std::string(host), kDefaultTargetPort};
  // host:port without brackets even for IPv6: the name is a label value, not an address.
  target.name = target.spec.target.host + ":" + std::to_string(target.spec.target.port);
  target.interval = config.interval;
  target.spec.timeouts = config.timeouts;
  return target;
}

TextResult<std::uint16_t> to_port(const YAML::Node& node) {
  auto port = to_integer(node, 1, 65535);
  if (!port) return error_text(port.error());
  return static_cast<std::uint16_t>(*port);
}

TextResult<std::uint32_t> to_probe_limit(const YAML::Node& node) {
  auto limit = to_integer(node, 1, kMaxConcurrentProbes);
  if (!limit) return error_text(limit.error());
  return static_cast<std::uint32_t>(*limit);
}

TextResult<std::uint64_t> to_byte_count(const YAML::Node& node) {
  return to_integer(node, 0, std::numeric_limits<std::int64_t>::max());
}

TextResult<std::string> to_target_host(const YAML::Node& node) {
  auto text = to_text(node);
  if (!text) return text;
  auto host = parse_host(*text);
  if (!host) return error_text(quoted(*text) + " " + host.error());
  return host;
}

TextResult<std::string> to_target_name(const YAML::Node& node) {
  auto text = to_text(node);
  if (!text) return text;
  auto is_label_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ':' ||
           c == '-';
  };
  if (text->empty() || !std::all_of(text->begin(), text->end(), is_label_char)) {
    return error_text(
        quoted(*text) +
        " is not a valid name: it becomes a metric label, so use only letters, digits "
        "and _ . : -");
  }
  return text;
}

TextResult<std::optional<HttpRequestSpec>> to_request(const YAML::Node& node) {
  auto text = to_text(node);
  if (!text) return error_text(text.error());
  auto request = parse_request(*text);
  if (!request) return error_text(request.error());
  return std::optional<HttpRequestSpec>(*request);
}

TextResult<bool> to_expect_denied(const YAML::Node& node) {
  if (node.IsScalar() && node.Scalar() == "ok") return false;
  if (node.IsScalar() && node.Scalar() == "denied") return true;
  return error_text("expected ok or denied, got " + describe_node(node));
}

MaybeError read_target_fields(const YamlMap& map, TargetConfig& target) {
  if (!map.find("host")) return map.error_here("missing the required key host");
  if (auto error = read_key(map, "host", target.spec.target.host, to_target_host)) return error;
  if (auto error = read_key(map, "port", target.spec.target.port, to_port)) return error;
  target.name = target.spec.target.host + ":" + std::to_string(target.spec.target.port);
  if (auto error = read_key(map, "name", target.name, to_target_name)) return error;
  if (auto error = read_key(map, "ca_file", target.spec.ca_file, to_text)) return error;
  if (auto error = read_key(map, "request", target.spec.request, to_request)) return error;
  if (auto error = read_key(map, "max_bytes", target.spec.max_bytes, to_byte_count)) return error;
  if (auto error = read_key(map, "interval", target.interval, to_interval)) return error;
  if (auto error = read_timeouts(map, target.spec.timeouts)) return error;
  if (auto error = read_key(map, "expect", target.spec.expect_denied, to_expect_denied))
    return error;
  if (auto error = read_key(map, "http_error_fails", target.spec.http_error_fails, to_bool)) {
    return error;
  }
  return read_key(map, "expect_issuer", target.expect_issuer, to_text);
}

// Reads targets[index]; `previous` are the targets before it, for the uniqueness of names.
ConfigResult<TargetConfig> read_target(const YAML::Node& node, std::size_t index,
                                       const DaemonConfig& config, bool jitter_written,
                                       const std::vector<TargetConfig>& previous) {
  auto map =
      YamlMap::open(node, config.source, "targets[" + std::to_string(index) + "]", kTargetKeys);
  if (!map) return map.error();
  TargetConfig target = default_target(config, "");
  if (auto error = read_target_fields(*map, target)) return *error;
  if (jitter_written && map->find("interval") && target.interval <= config.jitter) {
    return map->error("interval",
                      "must be longer than jitter (" + format_duration(config.jitter) + ")");
  }
  auto same = std::find_if(previous.begin(), previous.end(),
                           [&](const TargetConfig& t) { return t.name == target.name; });
  if (same == previous.end()) return target;
  std::string message = "duplicate target name " + quoted(target.name) +
                        ", already used by targets[" + std::to_string(same - previous.begin()) +
                        "]";
  if (map->find("name")) return map->error("name", message);
  return map->error_here(message + " (the default name is HOST:PORT; set name to tell them apart)");
}

ConfigResult<std::vector<TargetConfig>> read_targets(const YamlMap& map,
                                                     const DaemonConfig& config) {
  const YAML::Node* node = map.find("targets");
  std::vector<TargetConfig> targets;
  if (!node) {
    for (std::string_view host : kDefaultTargetHosts) {
      targets.push_back(default_target(config, host));
    }
    return targets;
  }
  if (node->IsNull())
    return map.error("targets", "has no value (remove the key to get the default)");
  if (!node->IsSequence()) {
    return map.error("targets", "expected a list of targets, got " + describe_node(*node));
  }
  if (node->size() == 0) {
    return map.error("targets",
                     "no targets: the list is empty (remove the key to probe "
                     "tools.cisco.com and smartreceiver.cisco.com)");
  }
  for (const auto& item : *node) {
    auto target = read_target(item, targets.size(), config, map.find("jitter"), targets);
    if (!target) return target.error();
    targets.push_back(std::move(*target));
  }
  return targets;
}

MaybeError read_globals(const YamlMap& map, DaemonConfig& config) {
  if (auto error = read_key(map, "proxy_file", config.proxy_file, to_path)) return error;
  if (auto error = read_key(map, "metrics_listen", config.metrics_listen, to_listen_address)) {
    return error;
  }
  if (auto error = read_key(map, "web_config_file", config.web_config_file, to_path)) {
    return error;
  }
  if (auto error = read_key(map, "interval", config.interval, to_interval)) return error;
  if (auto error = read_key(map, "jitter", config.jitter, to_jitter)) return error;
  if (auto error = read_key(map, "state_dir", config.state_dir, to_path)) return error;
  if (auto error = read_key(map, "credentials_file", config.credentials_file, to_path)) {
    return error;
  }
  if (auto error = read_key(map, "log_level", config.log_level, to_log_level)) return error;
  if (auto error =
          read_key(map, "max_concurrent_probes", config.max_concurrent_probes, to_probe_limit)) {
    return error;
  }
  if (auto error = read_key(map, "refuse_basic_auth", config.refuse_basic_auth, to_bool)) {
    return error;
  }
  if (auto error = read_timeouts(map, config.timeouts)) return error;
  if (auto error = read_health(map, config.health)) return error;
  return read_mtu_probe(map, config.mtu_probe);
}

// Only a jitter the user wrote can be wrong: the default follows the intervals.
MaybeError check_jitter(const YamlMap& map, const DaemonConfig& config) {
  if (!map.find("jitter") || config.jitter < config.interval) return std::nullopt;
  std::string message = "jitter (" + format_duration(config.jitter) +
                        ") must be shorter than interval (" + format_duration(config.interval) +
                        ")";
  return map.error("jitter", message);
}

// The default jitter: a tenth of the shortest interval, at most kDefaultJitter.
Millis default_jitter(const DaemonConfig& config) {
  Millis shortest = config.interval;
  for (const TargetConfig& target : config.targets) shortest = std::min(shortest, target.interval);
  return std::min(kDefaultJitter, shortest / 10);
}

ConfigResult<DaemonConfig> read_document(const YAML::Node& root, DaemonConfig config) {
  auto map = YamlMap::open(root, config.source, "", kTopKeys);
  if (!map) return map.error();
  if (auto error = read_globals(*map, config)) return *error;
  if (auto error = check_jitter(*map, config)) return *error;
  auto targets = read_targets(*map, config);
  if (!targets) return targets.error();
  config.targets = std::move(*targets);
  if (!map->find("jitter")) config.jitter = default_jitter(config);
  return config;
}

}  // namespace

std::string_view to_string(LogLevel level) {
  return kLogLevels[static_cast<std::size_t>(level)];
}

ConfigResult<DaemonConfig> load_daemon_config(const std::string& path, bool explicit_path) {
  auto loaded = load_yaml_config(path);
  if (!loaded && !explicit_path && loaded.error().kind == ConfigError::Kind::kNotFound) {
    return default_config();
  }
  return loaded;
}

DaemonConfig default_config() {
  DaemonConfig config;
  for (std::string_view host : kDefaultTargetHosts) {
    config.targets.push_back(default_target(config, host));
  }
  return config;
}

ConfigResult<DaemonConfig> parse_yaml_config(std::string_view text, std::string_view source_name) {
  DaemonConfig config = default_config();
  config.source = std::string(source_name);
  auto documents = load_documents(text, config.source);
  if (!documents) return documents.error();
  if (documents->second) {
    const YAML::Mark& at = *documents->second;
    return ConfigError{ConfigError::Kind::kInvalid, config.source, at.line + 1, at.column + 1, "",
                       "the file holds more than one YAML document ('---'); use one"};
  }
  if (documents->first.IsNull()) return config;
  return read_document(documents->first, std::move(config));
}

ConfigResult<DaemonConfig> load_yaml_config(const std::string& path) {
  auto text = read_text_file(path);
  if (!text) return file_error(path, text.error());
  return parse_yaml_config(*text, path);
}

}  // namespace proxywatch::config
