// `proxywatch status`: the status snapshot as text for the FMC's shell — a header with the
// proxy and the proxy file, then one block per target with its health and how long it has held,
// the last probe's sentence, each active diagnosis with its evidence and what to check next, and
// a table of the last probes with the milliseconds of each phase.
#pragma once

#include <string>

#include "common/output/status/status_snapshot.h"

namespace proxywatch {

// The text of `snapshot`, lines ending in '\n'; `source` names where it came from (the address
// of the daemon's listener).
std::string format_status_text(const StatusSnapshot& snapshot, const std::string& source);

}  // namespace proxywatch
