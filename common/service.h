// The FMC feature a target stands for: the bounded `service` of every target (a metric label,
// a JSON value, a journal field), so outputs can say which feature of the appliance is at risk
// when a target fails (DESIGN.md, "Targets are the FMC's services"). Names may grow, never
// change.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace proxywatch {

enum class Service {
  kLicensing,             // Smart Licensing: tools.cisco.com, smartreceiver.cisco.com
  kSecurityIntelligence,  // the Security Intelligence feed, and custom feed URLs
  kUpdates,               // software, VDB and intrusion rule updates
  kAmp,                   // AMP / Secure Endpoint cloud lookups
  kCustom,                // anything else the operator probes
};
inline constexpr std::array kAllServices = {Service::kLicensing, Service::kSecurityIntelligence,
                                            Service::kUpdates, Service::kAmp, Service::kCustom};

// "licensing", "security_intelligence", "updates", "amp", "custom".
std::string_view to_string(Service service);
// The inverse of to_string; nullopt for an unknown name.
std::optional<Service> service_from_string(std::string_view name);
// The FMC feature in the operator's words, as outputs say what is at risk: "Smart Licensing",
// "Security Intelligence feed downloads", "software, VDB and rule updates", "AMP cloud
// lookups", "custom targets".
std::string_view feature_name(Service service);

}  // namespace proxywatch
