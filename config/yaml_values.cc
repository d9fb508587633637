// Typed values of the daemon's YAML file: bounded durations, counts, ports, paths, the listen
// address, the log level and the per-phase timeouts.
#include "config/yaml_values.h"

#include <array>
#include <limits>

#include "config/duration.h"
#include "config/host_syntax.h"

namespace proxywatch::config {
namespace {

constexpr std::array<std::string_view, 7> kTimeoutKeys = {
    "dns", "tcp_connect", "proxy_connect", "tls_handshake", "http_first_byte", "transfer", "stall"};
constexpr std::uint64_t kMaxConcurrentProbes = 10'000;

}  // namespace

// A duration no longer than `max`: past a sane bound a value is a typo, and near 2^63 ms it
// overflows steady_clock (`interval: 3000000h` ran probes back to back).
Result<Millis> to_bounded_duration(const YAML::Node& node, Millis max) {
  auto duration = to_duration(node);
  if (duration && *duration > max) {
    return error_text("must be at most " + format_duration(max) + ", got " +
                      format_duration(*duration));
  }
  return duration;
}

Result<Millis> to_positive_duration(const YAML::Node& node, Millis max) {
  auto duration = to_bounded_duration(node, max);
  if (duration && *duration == Millis::zero()) return error_text("must be longer than 0s");
  return duration;
}

Result<Millis> to_interval(const YAML::Node& node) {
  return to_positive_duration(node, kMaxInterval);
}

Result<Millis> to_timeout(const YAML::Node& node) {
  return to_positive_duration(node, kMaxTimeout);
}

Result<Millis> to_jitter(const YAML::Node& node) {
  return to_bounded_duration(node, kMaxJitter);
}

Result<Millis> to_mtu_interval(const YAML::Node& node) {
  return to_positive_duration(node, kMaxMtuInterval);
}

Result<std::string> to_path(const YAML::Node& node) {
  auto text = to_text(node);
  if (text && text->empty()) return error_text("must not be empty");
  return text;
}

Result<HostPort> to_listen_address(const YAML::Node& node) {
  auto text = to_text(node);
  if (!text) return text.error();
  auto address = parse_host_port(*text, std::nullopt);
  if (!address)
    return error_text("expected HOST:PORT like 127.0.0.1:39555: " + address.error().message);
  return *address;
}

Result<LogLevel> to_log_level(const YAML::Node& node) {
  for (LogLevel level :
       {LogLevel::kTrace, LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (node.IsScalar() && node.Scalar() == to_string(level)) return level;
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

Result<std::uint32_t> to_count(const YAML::Node& node, std::uint64_t min, std::uint64_t max) {
  auto n = to_integer(node, min, max);
  if (!n) return n.error();
  return static_cast<std::uint32_t>(*n);
}

Result<std::chrono::seconds> to_window_duration(const YAML::Node& node) {
  auto d = to_bounded_duration(node, kMaxWindowDuration);
  if (!d) return d.error();
  if (*d < std::chrono::seconds(1)) return error_text("must be at least 1s");
  return std::chrono::duration_cast<std::chrono::seconds>(*d);
}

Result<std::uint16_t> to_port(const YAML::Node& node) {
  auto port = to_integer(node, 1, 65535);
  if (!port) return port.error();
  return static_cast<std::uint16_t>(*port);
}

Result<std::uint32_t> to_probe_limit(const YAML::Node& node) {
  auto limit = to_integer(node, 1, kMaxConcurrentProbes);
  if (!limit) return limit.error();
  return static_cast<std::uint32_t>(*limit);
}

Result<std::vector<std::string>> to_host_names(const YAML::Node& node) {
  if (!node.IsSequence())
    return error_text("expected a list of host names, got " + describe_node(node));
  std::vector<std::string> names;
  for (const YAML::Node& item : node) {
    if (!item.IsScalar()) return error_text("expected a host name, got " + describe_node(item));
    if (item.Scalar() != "*") {
      auto host = parse_host(item.Scalar());
      if (!host) return error_text(in_quotes(item.Scalar(), 40) + " " + host.error().message);
    }
    names.push_back(item.Scalar());
  }
  return names;
}

Result<std::uint64_t> to_byte_count(const YAML::Node& node) {
  return to_integer(node, 0, std::numeric_limits<std::int64_t>::max());
}

}  // namespace proxywatch::config
