// Chromium's command line for the page tests.
#include "tests/support/chromium.h"

#include <chrono>

namespace proxywatch::testing {

ProcessResult run_chromium(const std::filesystem::path& dir, const std::vector<std::string>& flags,
                           const std::string& url) {
  std::vector<std::string> argv = {"chromium",
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--no-first-run",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-sync",
                                   "--disable-extensions",
                                   "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                                   "--user-data-dir=" + (dir / "chromium").string()};
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.push_back(url);
  return run_process(argv, {{"HOME", dir.string()}}, std::chrono::seconds(90));
}

std::size_t occurrences(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace proxywatch::testing
