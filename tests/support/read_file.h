// Reading a whole file into a string, the one way every test does it: the repository's own
// files (docs, man pages, alert rules, the dashboard), files a server under test wrote, and
// /proc entries. Part of proxywatch::testfiles, so any stage's unit tests may use it.
#pragma once

#include <filesystem>
#include <string>

namespace proxywatch::testing {

// The bytes of the file at `path`, unchanged; throws std::runtime_error naming the path when
// it cannot be opened or read.
std::string read_file(const std::filesystem::path& path);

// The bytes of the file at `path`, or "" when it cannot be opened (absent, not yet written):
// for polling a file that a process under test creates.
std::string read_file_or_empty(const std::filesystem::path& path);

}  // namespace proxywatch::testing
