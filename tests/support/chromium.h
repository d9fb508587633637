// Debian's headless Chromium for the tests of the pages (tests/integration/status_browser_test.cc,
// history_browser_test.cc): one run on one URL, resolving no name (--host-resolver-rules) and
// talking to 127.0.0.1 only, with its profile in the test's own directory.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace proxywatch::testing {

// Chromium, headless, on `url` with `flags` first (`--dump-dom`: stdout is the DOM after the
// page ran; `--screenshot=FILE`), its profile and HOME in `dir`; at most 90 s. Throws when it
// cannot be started (scripts/install-deps.sh installs it).
ProcessResult run_chromium(const std::filesystem::path& dir, const std::vector<std::string>& flags,
                           const std::string& url);

// How often `what` occurs in `text` (overlapping occurrences counted).
std::size_t occurrences(const std::string& text, std::string_view what);

}  // namespace proxywatch::testing
