// The `targets:` list of the daemon's YAML file: each target's keys (name, host, port,
// request, expect …) with the top level's interval and timeouts as defaults, and the targets
// probed when the list is absent.
#pragma once

#include <vector>

#include "config/config_error.h"
#include "config/yaml_config.h"
#include "config/yaml_reader.h"

namespace proxywatch::config {

// Sets config.service_groups and config.targets from `map`'s `services:` and `targets:` keys:
// the service groups' targets (fmc_services.h) first, then the listed ones. Neither key: the
// default groups. `targets:` alone: only its targets. The defaults of each target (interval,
// timeouts, jitter) come from `config`, already read. A malformed list, an unknown or repeated
// group, a target without host or url, a duplicate name, nothing to probe at all: the error with
// its position.
MaybeError read_targets(const YamlMap& map, DaemonConfig& config);

// What is probed with neither key: the targets of kDefaultServiceGroups with `config`'s
// interval and timeouts.
std::vector<TargetConfig> default_targets(const DaemonConfig& config);

}  // namespace proxywatch::config
