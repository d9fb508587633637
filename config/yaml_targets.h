// The `targets:` list of the daemon's YAML file: each target's keys (name, host, port,
// request, expect …) with the top level's interval and timeouts as defaults, and the targets
// probed when the list is absent.
#pragma once

#include <vector>

#include "config/config_error.h"
#include "config/yaml_config.h"
#include "config/yaml_reader.h"

namespace proxywatch::config {

// The targets of `map`'s `targets:` key; its defaults (interval, timeouts, jitter) come from
// `config`, already read. Absent: default_targets(config). An empty or malformed list, a
// target without host, a duplicate name: the error with its position.
Result<std::vector<TargetConfig>> read_targets(const YamlMap& map, const DaemonConfig& config);

// What is probed without a `targets:` key: tools.cisco.com:443 and
// smartreceiver.cisco.com:443 with `config`'s interval and timeouts.
std::vector<TargetConfig> default_targets(const DaemonConfig& config);

}  // namespace proxywatch::config
