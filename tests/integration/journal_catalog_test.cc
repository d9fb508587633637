// systemd/proxywatch.catalog, the journal message catalog the package installs, against the
// two other places that name MESSAGE_IDs: docs/journal.md (the operator's list) and the
// source (every `MessageId kName{"..."}` under common/, config/ and daemon/). Every id has one
// catalog entry with a Subject and a text, no entry is for an id nobody sends, and journalctl
// itself compiles the file (`journalctl --root DIR --update-catalog`, then --list-catalog).
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/process.h"
#include "tests/support/read_file.h"
#include "tests/support/temp_dir.h"

namespace proxywatch::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = PROXYWATCH_SOURCE_DIR;

std::set<std::string> matches(const std::string& text, const std::regex& pattern) {
  std::set<std::string> out;
  for (std::sregex_iterator it(text.begin(), text.end(), pattern), end; it != end; ++it) {
    out.insert((*it)[1].str());
  }
  return out;
}

// The ids in the "Message IDs" table of docs/journal.md: `| event | `ID` | ...`.
std::set<std::string> documented_ids() {
  static const std::regex row(R"(\n\| [a-z_]+ \| `([0-9a-f]{32})` \|)");
  return matches(read_file(kSource / "docs/journal.md"), row);
}

// Every MessageId constant defined in the libraries' sources, wherever it lives.
std::set<std::string> source_ids() {
  static const std::regex constant(R"(MessageId\s+k\w+\s*\{\s*\"([0-9a-f]{32})\"\s*\})");
  std::set<std::string> out;
  for (const char* folder : {"common", "config", "daemon"}) {
    for (const auto& entry : fs::recursive_directory_iterator(kSource / folder)) {
      auto ext = entry.path().extension();
      if (ext != ".h" && ext != ".cc") continue;
      out.merge(matches(read_file(entry.path()), constant));
    }
  }
  return out;
}

// Catalog entries: id -> the entry's text (header lines and body, up to the next "-- ").
std::map<std::string, std::string> catalog_entries() {
  std::istringstream in(read_file(kSource / "systemd/proxywatch.catalog"));
  std::map<std::string, std::string> out;
  std::string* current = nullptr;
  static const std::regex header(R"(-- ([0-9a-f]{32}))");
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, header)) {
      EXPECT_FALSE(out.contains(m[1])) << "two catalog entries for " << m[1];
      current = &out[m[1]];
    } else if (current) {
      *current += line + "\n";
    }
  }
  return out;
}

TEST(JournalCatalogTest, DocumentedAndSourceIdsAreTheSame) {
  std::set<std::string> documented = documented_ids();
  // The patterns found the table at all (health_changed is one of its rows).
  EXPECT_TRUE(documented.contains("d53e7a4a09d34d31b9f99c743510eea5"));
  EXPECT_EQ(documented, source_ids());
}

TEST(JournalCatalogTest, EveryIdHasOneEntryAndEveryEntryAnId) {
  auto entries = catalog_entries();
  std::set<std::string> ids = documented_ids();
  ids.merge(source_ids());
  for (const std::string& id : ids) {
    EXPECT_TRUE(entries.contains(id)) << "no catalog entry for " << id;
  }
  for (const auto& [id, text] : entries) {
    EXPECT_TRUE(ids.contains(id)) << "catalog entry for an id nobody sends: " << id;
  }
}

TEST(JournalCatalogTest, EntriesHaveSubjectOriginAndText) {
  for (const auto& [id, text] : catalog_entries()) {
    EXPECT_EQ(text.rfind("Subject: ", 0), 0u) << id << ":\n" << text;
    EXPECT_NE(text.find("\nDefined-By: proxywatch\n"), std::string::npos) << id;
    EXPECT_NE(text.find("\nDocumentation: man:"), std::string::npos) << id;
    // A blank line ends the headers; the explanation follows.
    std::size_t body = text.find("\n\n");
    ASSERT_NE(body, std::string::npos) << id;
    EXPECT_GT(text.find_first_not_of(" \n", body), body) << id << " has no text";
  }
}

TEST(JournalCatalogTest, JournalctlCompilesEveryEntry) {
  TempDir root("pw-catalog");
  fs::create_directories(root.path() / "usr/lib/systemd/catalog");
  fs::copy_file(kSource / "systemd/proxywatch.catalog",
                root.path() / "usr/lib/systemd/catalog/proxywatch.catalog");
  ProcessResult update =
      run_process({"journalctl", "--root", root.path().string(), "--update-catalog"});
  ASSERT_EQ(update.exit_code, 0) << update.err;
  EXPECT_EQ(update.err, "");
  ProcessResult list =
      run_process({"journalctl", "--root", root.path().string(), "--list-catalog", "--no-pager"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  for (const auto& [id, text] : catalog_entries()) {
    EXPECT_NE(list.out.find(id + " proxywatch: "), std::string::npos) << id << "\n" << list.out;
  }
}

}  // namespace
}  // namespace proxywatch::testing
