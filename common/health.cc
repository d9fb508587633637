// Names of health states and diagnoses.
#include "common/health.h"

#include "common/outcome.h"

namespace proxywatch {
namespace {

constexpr std::array<std::string_view, kAllHealthStates.size()> kStateNames = {
    "unknown", "healthy", "degraded", "failing"};
constexpr std::array<std::string_view, kAllDiagnoses.size()> kDiagnosisNames = {
    "mtu_suspected",      "acl_block",         "proxy_overloaded", "inspection_interference",
    "auth_misconfigured", "proxy_unreachable", "flapping"};
static_assert(in_enum_order(kAllHealthStates) && all_named(kStateNames));
static_assert(in_enum_order(kAllDiagnoses) && all_named(kDiagnosisNames));

}  // namespace

std::string_view to_string(HealthState state) {
  return kStateNames[static_cast<std::size_t>(state)];
}

std::string_view to_string(Diagnosis diagnosis) {
  return kDiagnosisNames[static_cast<std::size_t>(diagnosis)];
}

std::optional<HealthState> health_state_from_string(std::string_view name) {
  for (std::size_t i = 0; i < kStateNames.size(); ++i) {
    if (kStateNames[i] == name) return kAllHealthStates[i];
  }
  return std::nullopt;
}

std::optional<Diagnosis> diagnosis_from_string(std::string_view name) {
  for (std::size_t i = 0; i < kDiagnosisNames.size(); ++i) {
    if (kDiagnosisNames[i] == name) return kAllDiagnoses[i];
  }
  return std::nullopt;
}

}  // namespace proxywatch
