// The `targets:` list of the daemon's YAML file: each target's keys, its defaults from the
// top level, and the default targets when the list is absent.
#include "config/yaml_targets.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "common/escape.h"
#include "config/duration.h"
#include "config/host_syntax.h"
#include "config/yaml_values.h"

namespace proxywatch::config {
namespace {

constexpr std::array<std::string_view, 11> kTargetKeys = {
    "name",     "host",     "port",   "ca_file",          "request",      "max_bytes",
    "interval", "timeouts", "expect", "http_error_fails", "expect_issuer"};
constexpr std::array<std::string_view, 2> kDefaultTargetHosts = {"tools.cisco.com",
                                                                 "smartreceiver.cisco.com"};
constexpr std::uint16_t kDefaultTargetPort = 443;

TargetConfig default_target(const DaemonConfig& config, std::string_view host) {
  TargetConfig target;
  target.spec.target = HostPort{std::string(host), kDefaultTargetPort};
  // host:port without brackets even for IPv6: the name is a label value, not an address.
  target.name = target.spec.target.host + ":" + std::to_string(target.spec.target.port);
  target.interval = config.interval;
  target.spec.timeouts = config.timeouts;
  return target;
}

Result<std::string> to_target_host(const YAML::Node& node) {
  auto text = to_text(node);
  if (!text) return text;
  auto host = parse_host(*text);
  if (!host) return error_text(in_quotes(*text) + " " + host.error().message);
  return host;
}

Result<std::string> to_target_name(const YAML::Node& node) {
  auto text = to_text(node);
  if (!text) return text;
  auto is_label_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ':' ||
           c == '-';
  };
  if (text->empty() || !std::all_of(text->begin(), text->end(), is_label_char)) {
    return error_text(
        in_quotes(*text) +
        " is not a valid name: it becomes a metric label, so use only letters, digits "
        "and _ . : -");
  }
  return text;
}

Result<std::optional<HttpRequestSpec>> to_request(const YAML::Node& node) {
  auto text = to_text(node);
  if (!text) return text.error();
  auto request = parse_request(*text);
  if (!request) return request.error();
  return std::optional<HttpRequestSpec>(*request);
}

Result<bool> to_expect_denied(const YAML::Node& node) {
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
Result<TargetConfig> read_target(const YAML::Node& node, std::size_t index,
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
  std::string message = "duplicate target name " + in_quotes(target.name) +
                        ", already used by targets[" + std::to_string(same - previous.begin()) +
                        "]";
  if (map->find("name")) return map->error("name", message);
  return map->error_here(message + " (the default name is HOST:PORT; set name to tell them apart)");
}

}  // namespace

Result<std::vector<TargetConfig>> read_targets(const YamlMap& map, const DaemonConfig& config) {
  const YAML::Node* node = map.find("targets");
  std::vector<TargetConfig> targets;
  if (!node) {
    return default_targets(config);
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

std::vector<TargetConfig> default_targets(const DaemonConfig& config) {
  std::vector<TargetConfig> targets;
  for (std::string_view host : kDefaultTargetHosts) targets.push_back(default_target(config, host));
  return targets;
}

}  // namespace proxywatch::config
