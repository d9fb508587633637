// The advice the status page and `proxywatch status` show is docs/diagnoses.md's: every
// diagnosis has a "means" and a "check next" text, and each equals the doc's paragraph with
// its line breaks joined.
#include "common/output/status/diagnosis_advice.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "tests/support/read_file.h"

namespace proxywatch {
namespace {

// The paragraph after "**label**" (or "**label**:") in the section "### `name`": up to the next
// blank line or the next bold label at a line start, with runs of white space joined.
std::string doc_paragraph(const std::string& doc, std::string_view name, std::string_view label) {
  std::size_t section = doc.find("### `" + std::string(name) + "`\n");
  if (section == std::string::npos) return "(no section)";
  std::size_t end_of_section = doc.find("\n### ", section + 1);
  std::string bold = "**" + std::string(label) + "**";
  std::size_t start = doc.find(bold, section);
  if (start == std::string::npos || start > end_of_section) return "(no " + bold + ")";
  start += bold.size();
  if (doc[start] == ':') ++start;
  std::size_t end = std::min({doc.find("\n\n", start), doc.find("\n**", start), end_of_section});
  std::istringstream words(doc.substr(start, end - start));
  std::string joined, word;
  while (words >> word) joined += (joined.empty() ? "" : " ") + word;
  return joined;
}

TEST(DiagnosisAdviceTest, EveryDiagnosisHasBothTexts) {
  for (Diagnosis d : kAllDiagnoses) {
    EXPECT_GT(diagnosis_advice(d).means.size(), 20u) << to_string(d);
    EXPECT_GT(diagnosis_advice(d).check_next.size(), 20u) << to_string(d);
  }
}

TEST(DiagnosisAdviceTest, TextsAreTheDocsParagraphs) {
  std::string doc = testing::read_file(PROXYWATCH_SOURCE_DIR "/docs/diagnoses.md");
  ASSERT_FALSE(doc.empty());
  for (Diagnosis d : kAllDiagnoses) {
    EXPECT_EQ(diagnosis_advice(d).means, doc_paragraph(doc, to_string(d), "Means")) << to_string(d);
    EXPECT_EQ(diagnosis_advice(d).check_next, doc_paragraph(doc, to_string(d), "Check next"))
        << to_string(d);
  }
}

}  // namespace
}  // namespace proxywatch
