// The `targets:` list of the daemon's YAML file: each target's keys, its defaults from the
// top level, and the default targets when the list is absent.
#include "config/yaml_targets.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <span>
#include <unordered_map>

#include "common/escape.h"
#include "config/duration.h"
#include "config/fmc_services.h"
#include "config/host_syntax.h"
#include "config/target_url.h"
#include "config/yaml_values.h"

namespace proxywatch::config {
namespace {

constexpr std::array<std::string_view, 14> kTargetKeys = {
    "name",    "host",      "port",     "url",      "method", "service",          "ca_file",
    "request", "max_bytes", "interval", "timeouts", "expect", "http_error_fails", "expect_issuer"};
constexpr std::uint16_t kDefaultTargetPort = 443;
// The keys that only a tunnel has (TLS, a request inside it), and those only a URL target has.
constexpr std::array<std::string_view, 3> kTunnelOnlyKeys = {"ca_file", "request", "expect_issuer"};
constexpr std::array<std::string_view, 2> kHostKeys = {"host", "port"};

TargetConfig target_with_defaults(const DaemonConfig& config) {
  TargetConfig target;
  target.spec.target.port = kDefaultTargetPort;
  target.interval = config.interval;
  target.spec.timeouts = config.timeouts;
  return target;
}

// host:port without brackets even for IPv6: the name is a label value, not an address.
std::string default_name(const HostPort& target) {
  return target.host + ":" + std::to_string(target.port);
}

Result<std::string> to_target_host(const YAML::Node& node) {
  auto text = to_text(node);
  if (!text) return text;
  if (looks_like_url(*text)) {
    return error_text(in_quotes(*text) + " is a URL, not a host: write it as `url: " + *text +
                      "` (host: takes a name or an address)");
  }
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

// Text that ends up in a file name or a log line and is printed by config-check: no control
// characters, so nothing it prints can move the terminal's cursor or split a log line.
Result<std::string> to_plain_text(const YAML::Node& node) {
  auto text = to_text(node);
  if (!text) return text;
  auto control = [](unsigned char c) { return c < 0x20 || c == 0x7f; };
  if (std::any_of(text->begin(), text->end(), control)) {
    return error_text(in_quotes(*text) + " holds a control character");
  }
  return text;
}

Result<TargetUrl> to_target_url(const YAML::Node& node) {
  auto text = to_text(node);
  if (!text) return text.error();
  return parse_target_url(*text);
}

Result<std::string> to_method(const YAML::Node& node) {
  if (node.IsScalar() && (node.Scalar() == "HEAD" || node.Scalar() == "GET")) return node.Scalar();
  return error_text("expected HEAD or GET, got " + describe_node(node));
}

Result<Service> to_service(const YAML::Node& node) {
  if (node.IsScalar()) {
    if (auto service = service_from_string(node.Scalar())) return *service;
  }
  return error_text("expected licensing, security_intelligence, updates, amp or custom, got " +
                    describe_node(node));
}

Result<bool> to_expect_denied(const YAML::Node& node) {
  if (node.IsScalar() && node.Scalar() == "ok") return false;
  if (node.IsScalar() && node.Scalar() == "denied") return true;
  return error_text("expected ok or denied, got " + describe_node(node));
}

// The first of `keys` present in `map`, if any.
std::optional<std::string_view> first_present(const YamlMap& map,
                                              std::span<const std::string_view> keys) {
  for (std::string_view key : keys) {
    if (map.find(key)) return key;
  }
  return std::nullopt;
}

// `url:` instead of host and port: the scheme decides how the proxy is asked.
MaybeError read_target_url(const YamlMap& map, TargetConfig& target) {
  if (auto key = first_present(map, kHostKeys)) {
    return map.error(*key, "url names the target already: write either url or host and port");
  }
  TargetUrl url;
  if (auto error = read_key(map, "url", url, to_target_url)) return error;
  target.spec.scheme = url.scheme;
  target.spec.target = url.target;
  if (url.scheme == TargetScheme::kHttps) {
    if (map.find("method")) {
      return map.error("method",
                       "is for http:// targets; an https:// target's request is "
                       "`request: HEAD /PATH`");
    }
    return std::nullopt;
  }
  if (auto key = first_present(map, kTunnelOnlyKeys)) {
    return map.error(*key,
                     "is for https targets (a tunnel with TLS); an http:// target is one "
                     "plain-HTTP request: its path is in the URL, its method is `method:`");
  }
  HttpRequestSpec request{"GET", url.path};
  if (auto error = read_key(map, "method", request.method, to_method)) return error;
  target.spec.request = std::move(request);
  return std::nullopt;
}

MaybeError read_target_address(const YamlMap& map, TargetConfig& target) {
  if (map.find("url")) return read_target_url(map, target);
  if (!map.find("host")) return map.error_here("missing the required key host (or url)");
  if (map.find("method")) {
    return map.error("method", "is for url: http:// targets; a host's request is `request:`");
  }
  if (auto error = read_key(map, "host", target.spec.target.host, to_target_host)) return error;
  return read_key(map, "port", target.spec.target.port, to_port);
}

MaybeError read_target_fields(const YamlMap& map, TargetConfig& target) {
  if (auto error = read_target_address(map, target)) return error;
  target.name = default_name(target.spec.target);
  if (auto error = read_key(map, "name", target.name, to_target_name)) return error;
  if (auto error = read_key(map, "service", target.service, to_service)) return error;
  if (auto error = read_key(map, "ca_file", target.spec.ca_file, to_plain_text)) return error;
  if (auto error = read_key(map, "request", target.spec.request, to_request)) return error;
  if (auto error = read_key(map, "max_bytes", target.spec.max_bytes, to_byte_count)) return error;
  if (auto error = read_key(map, "interval", target.interval, to_interval)) return error;
  if (auto error = read_timeouts(map, target.spec.timeouts)) return error;
  if (auto error = read_key(map, "expect", target.spec.expect_denied, to_expect_denied))
    return error;
  if (auto error = read_key(map, "http_error_fails", target.spec.http_error_fails, to_bool)) {
    return error;
  }
  return read_key(map, "expect_issuer", target.expect_issuer, to_plain_text);
}

// The index in `targets` of each name: a hash, since a linear search per target was quadratic
// (10,000 targets: a quarter of a reload's time, docs/benchmarks.md).
using TargetIndex = std::unordered_map<std::string, std::size_t>;

// An error when `target`'s name is taken: by a service target (the list's first
// `service_count`) or an earlier entry of `targets:` (`names` indexes `previous`).
MaybeError check_unique_name(const YamlMap& map, const TargetConfig& target,
                             const std::vector<TargetConfig>& previous, const TargetIndex& names,
                             std::size_t service_count) {
  auto found = names.find(target.name);
  if (found == names.end()) return std::nullopt;
  const std::size_t index = found->second;
  const TargetConfig* same = &previous[index];
  std::string message = "duplicate target name " + in_quotes(target.name) + ", already used by ";
  message += index < service_count
                 ? "the " + std::string(to_string(same->service)) + " target of `services:`"
                 : "targets[" + std::to_string(index - service_count) + "]";
  if (map.find("name")) return map.error("name", message);
  return map.error_here(message + " (the default name is HOST:PORT; set name to tell them apart)");
}

// Reads targets[index] and appends it to `targets`, whose first `service_count` came from
// `services:`.
MaybeError read_target(const YAML::Node& node, std::size_t index, const DaemonConfig& config,
                       bool jitter_written, std::vector<TargetConfig>& targets, TargetIndex& names,
                       std::size_t service_count) {
  auto map =
      YamlMap::open(node, config.source, "targets[" + std::to_string(index) + "]", kTargetKeys);
  if (!map) return map.error();
  TargetConfig target = target_with_defaults(config);
  if (auto error = read_target_fields(*map, target)) return error;
  if (jitter_written && map->find("interval") && target.interval <= config.jitter) {
    return map->error("interval",
                      "must be longer than jitter (" + format_duration(config.jitter) + ")");
  }
  if (auto error = check_unique_name(*map, target, targets, names, service_count)) return error;
  names.emplace(target.name, targets.size());
  targets.push_back(std::move(target));
  return std::nullopt;
}

std::string group_list() {
  std::string out;
  for (std::string_view group : kFmcServiceGroups)
    out += (out.empty() ? "" : ", ") + std::string(group);
  return out;
}

// `services:`: a list of kFmcServiceGroups names, each at most once.
MaybeError read_service_groups(const YamlMap& map, std::vector<std::string>& groups) {
  const YAML::Node* node = map.find("services");
  if (node->IsNull())
    return map.error("services", "has no value (remove the key to get the default)");
  if (!node->IsSequence()) {
    return map.error("services", "expected a list of service groups (" + group_list() + "), got " +
                                     describe_node(*node));
  }
  for (const auto& item : *node) {
    std::string where = "services[" + std::to_string(groups.size()) + "]";
    if (!item.IsScalar() || !is_service_group(item.Scalar())) {
      return yaml_error(item, map.source(), where,
                        "expected one of " + group_list() + ", got " + describe_node(item));
    }
    if (std::find(groups.begin(), groups.end(), item.Scalar()) != groups.end()) {
      return yaml_error(item, map.source(), where, item.Scalar() + " is listed twice");
    }
    groups.push_back(item.Scalar());
  }
  return std::nullopt;
}

}  // namespace

MaybeError read_targets(const YamlMap& map, DaemonConfig& config) {
  const YAML::Node* node = map.find("targets");
  config.service_groups.clear();
  if (map.find("services")) {
    if (auto error = read_service_groups(map, config.service_groups)) return error;
  } else if (!node) {
    config.service_groups.assign(kDefaultServiceGroups.begin(), kDefaultServiceGroups.end());
  }
  std::vector<TargetConfig> targets = service_targets(config, config.service_groups);
  const std::size_t service_count = targets.size();
  if (node) {
    if (node->IsNull())
      return map.error("targets", "has no value (remove the key to get the default)");
    if (!node->IsSequence()) {
      return map.error("targets", "expected a list of targets, got " + describe_node(*node));
    }
    if (node->size() + service_count > kMaxTargets) {
      return map.error("targets", "lists " + std::to_string(node->size()) + " targets" +
                                      (service_count ? " besides the services" : std::string()) +
                                      "; at most " + std::to_string(kMaxTargets) +
                                      " are allowed in all");
    }
    TargetIndex names;
    for (std::size_t i = 0; i < targets.size(); ++i) names.emplace(targets[i].name, i);
    for (const auto& item : *node) {
      if (auto error = read_target(item, targets.size() - service_count, config, map.find("jitter"),
                                   targets, names, service_count)) {
        return error;
      }
    }
  }
  if (targets.empty()) {
    return map.error(node ? "targets" : "services",
                     "nothing to probe: no service group and no target (remove `services:` and "
                     "`targets:` to probe the FMC's default services)");
  }
  config.targets = std::move(targets);
  return std::nullopt;
}

std::vector<TargetConfig> default_targets(const DaemonConfig& config) {
  std::vector<std::string> groups(kDefaultServiceGroups.begin(), kDefaultServiceGroups.end());
  return service_targets(config, groups);
}

}  // namespace proxywatch::config
