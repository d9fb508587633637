// Diagnosis sentences for answers that the outcome alone would misname (diagnosis.cc asks here
// first): an HTTP answer in the tunnel where the ServerHello belonged, a proxy port that speaks
// TLS, a tunnel closed right after the ClientHello, and an origin certificate whose only fault
// is its dates.
#pragma once

#include <optional>
#include <string>

#include "common/probe_result.h"
#include "common/probe_spec.h"

namespace proxywatch {

// The sentence for `result` when it is one of the cases above; nullopt otherwise.
std::optional<std::string> named_answer_sentence(const ProbeResult& result, const ProbeSpec& spec);

}  // namespace proxywatch
