// Names for the small enums of a probe result.
#include "common/probe_result.h"

namespace proxywatch {

std::string_view to_string(PeerClose close) {
  switch (close) {
    case PeerClose::kFin:
      return "fin";
    case PeerClose::kRst:
      return "rst";
    case PeerClose::kNotSeen:
      break;
  }
  return "not_seen";
}

std::string_view to_string(CertDateFault fault) {
  switch (fault) {
    case CertDateFault::kExpired:
      return "expired";
    case CertDateFault::kNotYetValid:
      return "not_yet_valid";
    case CertDateFault::kNone:
      break;
  }
  return "none";
}

bool is_reset(const ProbeResult& result) {
  return !result.ok() && (result.peer_close == PeerClose::kRst || traits(result.outcome).reset);
}

}  // namespace proxywatch
