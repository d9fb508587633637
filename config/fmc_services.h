// The FMC's services: the destinations an FMC reaches through its proxy, each with the feature
// it stands for, from Cisco's "Internet Access Requirements" table (Secure Firewall Management
// Center Administration Guide, chapter "Security, Internet Access, and Communication Ports";
// docs/services.md cites it). They are the daemon's targets when its YAML file names none, and
// the YAML file's `services:` key chooses among them by group, since Cisco changes the list and
// not every appliance uses every feature.
#pragma once

#include <array>
#include <string_view>
#include <vector>

#include "common/service.h"
#include "config/config_error.h"
#include "config/yaml_config.h"

namespace proxywatch::config {

// One destination of the table, probed as https://host:443 (CONNECT).
struct FmcServiceHost {
  std::string_view group;  // the name `services:` chooses it by
  Service service;
  std::string_view host;
};

inline constexpr std::array kFmcServiceHosts = std::to_array<FmcServiceHost>({
    {"licensing", Service::kLicensing, "tools.cisco.com"},
    {"licensing", Service::kLicensing, "smartreceiver.cisco.com"},
    {"security_intelligence", Service::kSecurityIntelligence, "intelligence.sourcefire.com"},
    {"updates", Service::kUpdates, "support.sourcefire.com"},
    {"updates", Service::kUpdates, "updates.vrt.sourcefire.com"},
    {"updates", Service::kUpdates, "amp.updates.vrt.sourcefire.com"},
    // AMP / Secure Endpoint cloud lookups, one group per regional cloud: an appliance uses one.
    {"amp", Service::kAmp, "cloud-sa.amp.cisco.com"},
    {"amp_eu", Service::kAmp, "cloud-sa.eu.amp.cisco.com"},
    {"amp_apjc", Service::kAmp, "cloud-sa.apjc.amp.cisco.com"},
});

// Every group name `services:` accepts, in table order.
inline constexpr std::array<std::string_view, 6> kFmcServiceGroups = {
    "licensing", "security_intelligence", "updates", "amp", "amp_eu", "amp_apjc"};

// The groups probed when the YAML file writes neither `services:` nor `targets:`: what every
// FMC uses. AMP lookups are switched on with one line (`services: [..., amp]`).
inline constexpr std::array<std::string_view, 3> kDefaultServiceGroups = {
    "licensing", "security_intelligence", "updates"};

// True when `group` is one of kFmcServiceGroups.
bool is_service_group(std::string_view group);

// The targets of `groups` (each a kFmcServiceGroups name), in table order, with `config`'s
// interval and timeouts; each is named HOST:443 and carries its service.
std::vector<TargetConfig> service_targets(const DaemonConfig& config,
                                          const std::vector<std::string>& groups);

}  // namespace proxywatch::config
