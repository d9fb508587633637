// libFuzzer target: the web configuration loader (exporter-toolkit's format: TLS files and
// bcrypt users) on arbitrary bytes. Its promise checked here: no error message quotes a hash.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config/web_config.h"

namespace {

bool bcrypt_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '/';
}

// Whether `text` starts with a complete bcrypt hash (60 characters).
bool looks_like_bcrypt(std::string_view text) {
  if (text.size() < 60 || text[0] != '$' || text[1] != '2' || text[3] != '$' || text[6] != '$') {
    return false;
  }
  if (text[2] != 'a' && text[2] != 'b' && text[2] != 'y') return false;
  if (!std::isdigit(static_cast<unsigned char>(text[4])) ||
      !std::isdigit(static_cast<unsigned char>(text[5]))) {
    return false;
  }
  for (std::size_t i = 7; i < 60; ++i) {
    if (!bcrypt_char(text[i])) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto result = proxywatch::config::parse_web_config(text, "/etc/proxywatch/web.yml");
  if (result) return 0;
  const std::string message = result.error().to_string();
  // A bcrypt hash is "$2a$", "$2b$" or "$2y$", two cost digits, '$', then 53 characters of
  // [./A-Za-z0-9]; a message may name the prefix, never a whole hash.
  for (std::size_t at = message.find("$2"); at != std::string::npos;
       at = message.find("$2", at + 1)) {
    if (looks_like_bcrypt(std::string_view(message).substr(at))) {
      std::fprintf(stderr, "a hash in: %s\n", message.c_str());
      std::abort();
    }
  }
  return 0;
}
