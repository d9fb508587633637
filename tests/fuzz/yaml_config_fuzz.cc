// libFuzzer target: the daemon's YAML loader on arbitrary bytes (yaml-cpp underneath, then
// proxywatch's schema). A loaded configuration must satisfy the loader's own promises.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/yaml_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace proxywatch::config;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto result = parse_yaml_config(text, "fuzz.yaml");
  if (!result) return 0;
  if (result->targets.empty()) std::abort();
  if (result->interval > kMaxInterval || result->jitter > kMaxJitter) std::abort();
  for (const auto& target : result->targets) {
    if (target.interval <= proxywatch::Millis::zero() || target.interval > kMaxInterval) std::abort();
  }
  return 0;
}
