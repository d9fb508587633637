// Names of MTU verdicts.
#include "common/mtu_report.h"

namespace proxywatch {
namespace {

constexpr std::array<std::string_view, kAllMtuVerdicts.size()> kVerdictNames = {
    "none", "inbound", "outbound", "inconclusive"};
static_assert(in_enum_order(kAllMtuVerdicts) && all_named(kVerdictNames));

}  // namespace

std::string_view to_string(MtuVerdict verdict) {
  return kVerdictNames[static_cast<std::size_t>(verdict)];
}

std::optional<MtuVerdict> mtu_verdict_from_string(std::string_view name) {
  for (MtuVerdict v : kAllMtuVerdicts) {
    if (to_string(v) == name) return v;
  }
  return std::nullopt;
}

}  // namespace proxywatch
