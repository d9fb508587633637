// Names of the FMC's services.
#include "common/service.h"

#include <cstddef>

#include "common/outcome.h"

namespace proxywatch {
namespace {

static_assert(in_enum_order(kAllServices));

constexpr std::array<std::string_view, kAllServices.size()> kServiceNames = {
    "licensing", "security_intelligence", "updates", "amp", "custom"};
static_assert(all_named(kServiceNames));

constexpr std::array<std::string_view, kAllServices.size()> kFeatureNames = {
    "Smart Licensing", "Security Intelligence feed downloads", "software, VDB and rule updates",
    "AMP cloud lookups", "custom targets"};
static_assert(all_named(kFeatureNames));

}  // namespace

std::string_view to_string(Service service) {
  return kServiceNames[static_cast<std::size_t>(service)];
}

std::optional<Service> service_from_string(std::string_view name) {
  for (Service service : kAllServices) {
    if (to_string(service) == name) return service;
  }
  return std::nullopt;
}

std::string_view feature_name(Service service) {
  return kFeatureNames[static_cast<std::size_t>(service)];
}

}  // namespace proxywatch
