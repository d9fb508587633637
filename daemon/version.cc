// The --version text; PROXYWATCH_REVISION and PROXYWATCH_BUILD_DATE are compile definitions
// of this file alone (daemon/CMakeLists.txt), so a new commit recompiles nothing else.
#include "daemon/version.h"

#include <fmt/format.h>

namespace proxywatch {
namespace {

// The compiler that built this file, as its own version macros name it.
std::string compiler() {
#if defined(__clang__)
  return fmt::format("clang {}.{}.{}", __clang_major__, __clang_minor__, __clang_patchlevel__);
#elif defined(__GNUC__)
  return fmt::format("g++ {}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#else
  return "unknown";
#endif
}

}  // namespace

std::string version_text() {
  return fmt::format(
      "proxywatch, version {} (revision: {})\n"
      "  build date:       {}\n"
      "  compiler:         {}\n",
      PROXYWATCH_VERSION, PROXYWATCH_REVISION, PROXYWATCH_BUILD_DATE, compiler());
}

}  // namespace proxywatch
