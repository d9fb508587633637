// The typed values of the daemon's YAML file, each a converter for read_key (yaml_reader.h):
// a YAML node in, the value or a message saying what was expected out. Bounds are the ones
// proxywatch.yaml(5) documents; past them a value is a typo, not a wish.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "common/error.h"
#include "common/probe_spec.h"
#include "config/config_error.h"
#include "config/yaml_config.h"
#include "config/yaml_reader.h"

namespace proxywatch::config {

// A duration ("30s", "5m") of at most `max`.
Result<Millis> to_bounded_duration(const YAML::Node& node, Millis max);
// The same, and longer than zero.
Result<Millis> to_positive_duration(const YAML::Node& node, Millis max);
// A probe interval (0 < d <= kMaxInterval), a phase timeout (kMaxTimeout), a jitter
// (0 <= d <= kMaxJitter), an MTU comparison interval (kMaxMtuInterval), a health window
// (1 s <= d <= kMaxWindowDuration).
Result<Millis> to_interval(const YAML::Node& node);
Result<Millis> to_timeout(const YAML::Node& node);
Result<Millis> to_jitter(const YAML::Node& node);
Result<Millis> to_mtu_interval(const YAML::Node& node);
Result<std::chrono::seconds> to_window_duration(const YAML::Node& node);
// A non-empty path.
Result<std::string> to_path(const YAML::Node& node);
// HOST:PORT of the listener ("127.0.0.1:39555", "[::1]:39555").
Result<HostPort> to_listen_address(const YAML::Node& node);
// metrics_allowed_hosts: a list of host names or IP literals (parse_host), or "*".
Result<std::vector<std::string>> to_host_names(const YAML::Node& node);
// trace, debug, info, warn or error.
Result<LogLevel> to_log_level(const YAML::Node& node);
// An integer in [min, max].
Result<std::uint32_t> to_count(const YAML::Node& node, std::uint64_t min, std::uint64_t max);
// A TCP port, 1..65535.
Result<std::uint16_t> to_port(const YAML::Node& node);
// max_concurrent_probes: 1..10,000.
Result<std::uint32_t> to_probe_limit(const YAML::Node& node);
// A byte count, 0..2^63-1.
Result<std::uint64_t> to_byte_count(const YAML::Node& node);

// Reads the optional `timeouts:` section of `parent` (its seven keys, each to_timeout) into
// `timeouts`, leaving absent keys as they are.
MaybeError read_timeouts(const YamlMap& parent, PhaseTimeouts& timeouts);

}  // namespace proxywatch::config
