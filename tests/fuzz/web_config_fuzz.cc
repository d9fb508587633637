// libFuzzer target: the web configuration loader (exporter-toolkit's format: TLS files and
// bcrypt users) on arbitrary bytes. Its promise checked here: no error message quotes a hash.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "config/web_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto result = proxywatch::config::parse_web_config(text, "/etc/proxywatch/web.yml");
  if (result) return 0;
  const std::string message = result.error().to_string();
  // A bcrypt hash is "$2?$" then 56 characters; a message may name the prefix, never a hash.
  for (std::size_t at = message.find("$2"); at != std::string::npos;
       at = message.find("$2", at + 1)) {
    if (message.size() - at >= 60 && message[at + 3] == '$') {
      std::fprintf(stderr, "a hash in: %s\n", message.c_str());
      std::abort();
    }
  }
  return 0;
}
