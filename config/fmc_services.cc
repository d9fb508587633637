// Targets made from the FMC's service table.
#include "config/fmc_services.h"

#include <algorithm>
#include <string>

namespace proxywatch::config {

static_assert(
    [] {
      for (const FmcServiceHost& entry : kFmcServiceHosts) {
        if (std::find(kFmcServiceGroups.begin(), kFmcServiceGroups.end(), entry.group) ==
            kFmcServiceGroups.end()) {
          return false;
        }
      }
      return true;
    }(),
    "every host of kFmcServiceHosts is in a group of kFmcServiceGroups");

bool is_service_group(std::string_view group) {
  return std::find(kFmcServiceGroups.begin(), kFmcServiceGroups.end(), group) !=
         kFmcServiceGroups.end();
}

std::vector<TargetConfig> service_targets(const DaemonConfig& config,
                                          const std::vector<std::string>& groups) {
  std::vector<TargetConfig> targets;
  for (const FmcServiceHost& entry : kFmcServiceHosts) {
    if (std::find(groups.begin(), groups.end(), entry.group) == groups.end()) continue;
    TargetConfig target;
    target.spec.target = HostPort{std::string(entry.host), 443};
    target.name = target.spec.target.to_string();
    target.service = entry.service;
    target.interval = config.interval;
    target.spec.timeouts = config.timeouts;
    targets.push_back(std::move(target));
  }
  return targets;
}

}  // namespace proxywatch::config
