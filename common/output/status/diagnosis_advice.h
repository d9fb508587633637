// What each diagnosis means and what to check next, for the outputs that show a diagnosis to a
// person (the status page, `proxywatch status`). docs/diagnoses.md is the operator's reference
// and the source of these texts: each is the doc's **Means** and **Check next** paragraph with
// its line breaks joined, in the doc's Markdown (`code`, *emphasis*). A test reads the doc and
// fails when the two differ, so change the doc first and copy the paragraph here.
#pragma once

#include <string_view>

#include "common/health.h"

namespace proxywatch {

struct DiagnosisAdvice {
  std::string_view means;       // one or two sentences: what the pattern says
  std::string_view check_next;  // where to look, in the order an operator would
};

// The advice for `diagnosis`; every diagnosis has both texts.
DiagnosisAdvice diagnosis_advice(Diagnosis diagnosis);

}  // namespace proxywatch
