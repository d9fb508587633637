// The schema of the daemon's YAML file: which keys exist, their defaults and the checks that
// span keys. yaml_reader does the typed reading and error placement.
#include "config/yaml_config.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>

#include <fmt/format.h>

#include "common/error.h"
#include "config/duration.h"
#include "config/fmc_services.h"
#include "config/host_syntax.h"
#include "config/text_file.h"
#include "config/yaml_documents.h"
#include "config/yaml_reader.h"
#include "config/yaml_targets.h"
#include "config/yaml_values.h"

namespace proxywatch::config {
namespace {

constexpr std::array<std::string_view, 20> kTopKeys = {
    "proxy_file",       "metrics_listen",  "interval",
    "jitter",           "timeouts",        "state_dir",
    "credentials_file", "log_level",       "max_concurrent_probes",
    "services",         "targets",         "mtu_probe",
    "health",           "web_config_file", "refuse_basic_auth",
    "history",          "capture",         "metrics_allowed_hosts",
    "metrics",          "confirm"};
constexpr std::array<std::string_view, 1> kConfirmKeys = {"delays"};
constexpr std::array<std::string_view, 3> kHistoryKeys = {"max_age", "failure_max_age",
                                                          "max_size_mib"};
// Retention beyond ten years is a typo; less than an hour would delete what the page shows.
constexpr Millis kMinHistoryAge{3'600'000};
constexpr Millis kMaxHistoryAge{3650LL * 86'400'000};
constexpr std::array<std::string_view, 4> kCaptureKeys = {"enabled", "max_files", "max_size_mib",
                                                          "max_age"};
constexpr std::array<std::string_view, 2> kMetricsKeys = {"series", "histograms"};
constexpr std::array<std::string_view, 10> kHealthKeys = {
    "window_probes",    "window_duration",   "min_samples",      "failing_after",
    "recover_after",    "degraded_percent",  "persistent_after", "overload_percent",
    "flapping_changes", "transfer_cut_after"};
constexpr std::uint64_t kMaxWindowProbes = 10'000;
constexpr std::array<std::string_view, 2> kMtuKeys = {"enabled", "interval"};
// In LogLevel's order: to_string() indexes it.
constexpr std::array<std::string_view, 5> kLogLevels = {"trace", "debug", "info", "warn", "error"};

MaybeError read_mtu_probe(const YamlMap& parent, MtuProbeConfig& mtu) {
  const YAML::Node* node = parent.find("mtu_probe");
  if (!node) return std::nullopt;
  auto map = YamlMap::open(*node, parent.source(), parent.path_of("mtu_probe"), kMtuKeys);
  if (!map) return map.error();
  if (auto error = read_key(*map, "enabled", mtu.enabled, to_bool)) return error;
  return read_key(*map, "interval", mtu.interval, to_mtu_interval);
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

MaybeError read_history(const YamlMap& parent, HistoryConfig& h) {
  const YAML::Node* node = parent.find("history");
  if (!node) return std::nullopt;
  auto map = YamlMap::open(*node, parent.source(), parent.path_of("history"), kHistoryKeys);
  if (!map) return map.error();
  auto age = [](const YAML::Node& n) -> Result<Millis> {
    auto d = to_positive_duration(n, kMaxHistoryAge);
    if (d && *d < kMinHistoryAge) return error_text("must be at least 1h");
    return d;
  };
  if (auto error = read_key(*map, "max_age", h.max_age, age)) return error;
  if (auto error = read_key(*map, "failure_max_age", h.failure_max_age, age)) return error;
  auto mib = [](const YAML::Node& n) { return to_count(n, 1, 1'048'576); };
  std::uint32_t size = static_cast<std::uint32_t>(h.max_size_mib);
  if (auto error = read_key(*map, "max_size_mib", size, mib)) return error;
  h.max_size_mib = size;
  if (h.failure_max_age < h.max_age) {
    return map->error(map->find("failure_max_age") ? "failure_max_age" : "max_age",
                      "failure_max_age (" + format_duration(h.failure_max_age) +
                          ") must not be shorter than max_age (" + format_duration(h.max_age) +
                          "): failures are kept at least as long as passing probes");
  }
  return std::nullopt;
}

MaybeError read_capture(const YamlMap& parent, CaptureConfig& c) {
  const YAML::Node* node = parent.find("capture");
  if (!node) return std::nullopt;
  auto map = YamlMap::open(*node, parent.source(), parent.path_of("capture"), kCaptureKeys);
  if (!map) return map.error();
  if (auto error = read_key(*map, "enabled", c.enabled, to_bool)) return error;
  auto files = [](const YAML::Node& n) { return to_count(n, 1, 10'000); };
  if (auto error = read_key(*map, "max_files", c.max_files, files)) return error;
  auto mib = [](const YAML::Node& n) { return to_count(n, 1, 1'048'576); };
  std::uint32_t size = static_cast<std::uint32_t>(c.max_size_mib);
  if (auto error = read_key(*map, "max_size_mib", size, mib)) return error;
  c.max_size_mib = size;
  auto age = [](const YAML::Node& n) -> Result<Millis> {
    auto d = to_positive_duration(n, kMaxHistoryAge);
    if (d && *d < kMinHistoryAge) return error_text("must be at least 1h");
    return d;
  };
  return read_key(*map, "max_age", c.max_age, age);
}

Result<SeriesSet> to_series_set(const YAML::Node& node) {
  if (node.IsScalar()) {
    if (auto set = series_set_from(node.Scalar())) return *set;
  }
  return error_text("expected lean or full, got " + describe_node(node));
}

MaybeError read_metrics(const YamlMap& parent, MetricOptions& m) {
  const YAML::Node* node = parent.find("metrics");
  if (!node) return std::nullopt;
  auto map = YamlMap::open(*node, parent.source(), parent.path_of("metrics"), kMetricsKeys);
  if (!map) return map.error();
  if (auto error = read_key(*map, "series", m.series, to_series_set)) return error;
  return read_key(*map, "histograms", m.histograms, to_bool);
}

Result<std::vector<Millis>> to_confirm_delays(const YAML::Node& node) {
  if (!node.IsSequence()) {
    return error_text(
        "expected a list of durations (e.g. [5s, 10s, 20s]; [] turns confirmation "
        "probes off), got " +
        describe_node(node));
  }
  if (node.size() > kMaxConfirmations) {
    return error_text(
        fmt::format("at most {} confirmation probes, got {}", kMaxConfirmations, node.size()));
  }
  std::vector<Millis> delays;
  for (const YAML::Node& item : node) {
    auto delay = to_positive_duration(item, kMaxConfirmDelay);
    if (!delay) return delay.error();
    if (*delay < kMinConfirmDelay) {
      return error_text("each delay must be at least " + format_duration(kMinConfirmDelay) +
                        ", got " + format_duration(*delay));
    }
    delays.push_back(*delay);
  }
  return delays;
}

MaybeError read_confirm(const YamlMap& parent, ConfirmConfig& c) {
  const YAML::Node* node = parent.find("confirm");
  if (!node) return std::nullopt;
  auto map = YamlMap::open(*node, parent.source(), parent.path_of("confirm"), kConfirmKeys);
  if (!map) return map.error();
  return read_key(*map, "delays", c.delays, to_confirm_delays);
}

MaybeError read_globals(const YamlMap& map, DaemonConfig& config) {
  if (auto error = read_key(map, "proxy_file", config.proxy_file, to_path)) return error;
  if (auto error = read_key(map, "metrics_listen", config.metrics_listen, to_listen_address)) {
    return error;
  }
  if (auto error =
          read_key(map, "metrics_allowed_hosts", config.metrics_allowed_hosts, to_host_names)) {
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
  if (auto error = read_history(map, config.history)) return error;
  if (auto error = read_capture(map, config.capture)) return error;
  if (auto error = read_metrics(map, config.metrics)) return error;
  if (auto error = read_confirm(map, config.confirm)) return error;
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

Result<DaemonConfig> read_document(const YAML::Node& root, DaemonConfig config) {
  auto map = YamlMap::open(root, config.source, "", kTopKeys);
  if (!map) return map.error();
  if (auto error = read_globals(*map, config)) return *error;
  if (auto error = check_jitter(*map, config)) return *error;
  if (auto error = read_targets(*map, config)) return *error;
  if (!map->find("jitter")) config.jitter = default_jitter(config);
  return config;
}

}  // namespace

std::string_view to_string(LogLevel level) {
  return kLogLevels[static_cast<std::size_t>(level)];
}

Result<DaemonConfig> load_daemon_config(const std::string& path, bool explicit_path) {
  auto loaded = load_yaml_config(path);
  if (!loaded && !explicit_path && loaded.error().kind == Error::Kind::kNotFound) {
    return default_config();
  }
  return loaded;
}

DaemonConfig default_config() {
  DaemonConfig config;
  config.service_groups.assign(kDefaultServiceGroups.begin(), kDefaultServiceGroups.end());
  config.targets = default_targets(config);
  return config;
}

Result<DaemonConfig> parse_yaml_config(std::string_view text, std::string_view source_name) {
  DaemonConfig config = default_config();
  config.source = std::string(source_name);
  auto documents = load_documents(text, config.source);
  if (!documents) return documents.error();
  if (documents->second) {
    const YAML::Mark& at = *documents->second;
    return file_error(config.source, at.line + 1, at.column + 1, "",
                      "the file holds more than one YAML document ('---'); use one");
  }
  if (documents->first.IsNull()) return config;
  return read_document(documents->first, std::move(config));
}

Result<DaemonConfig> load_yaml_config(const std::string& path) {
  auto text = read_text_file(path);
  if (!text) return unreadable_config(text.error());
  return parse_yaml_config(*text, path);
}

}  // namespace proxywatch::config
