// libFuzzer target: the state-file loader's JSON reading (Boost.JSON, then proxywatch's
// schema). What it accepts must write back and load again.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "common/output/store/state_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace proxywatch;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto pairs = state_from_json(text);
  if (!pairs) return 0;
  std::string again = state_to_json(*pairs, WallTime{});
  auto reloaded = state_from_json(again);
  if (!reloaded) {
    std::fprintf(stderr, "written state does not load: %s\n%s\n",
                 reloaded.error().to_string().c_str(), again.c_str());
    std::abort();
  }
  return 0;
}
