// The Debian packages the package_build fixture made (PROXYWATCH_DEB_DIR), for the package's
// lint and install tests.
#pragma once

#include <filesystem>
#include <string>

namespace proxywatch::testing {

// The one PACKAGE_VERSION_ARCH.deb in PROXYWATCH_DEB_DIR, or "" when there is none.
inline std::string built_deb(const std::string& package = "proxywatch") {
  std::string found;
  if (!std::filesystem::is_directory(PROXYWATCH_DEB_DIR)) return found;
  for (const auto& entry : std::filesystem::directory_iterator(PROXYWATCH_DEB_DIR)) {
    std::string name = entry.path().filename().string();
    if (name.starts_with(package + "_") && name.ends_with(".deb")) found = entry.path().string();
  }
  return found;
}

}  // namespace proxywatch::testing
