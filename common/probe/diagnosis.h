// The one-sentence, human diagnosis of a probe: what went wrong, in which phase, and what to
// check next, in the words of the Cisco troubleshooting guide where it has words for it.
#pragma once

#include <string>

#include "common/probe_result.h"
#include "common/probe_spec.h"

namespace proxywatch {

// One sentence (no trailing newline) explaining `result` of the probe `spec`.
std::string diagnose(const ProbeResult& result, const ProbeSpec& spec);

}  // namespace proxywatch
