// Basic authentication: base64 through OpenSSL's EVP_DecodeBlock, bcrypt through libcrypt's
// crypt_rn, digests through EVP_Digest, comparisons through CRYPTO_memcmp.
#include "common/output/web/basic_auth.h"

#include <crypt.h>

#include <cstring>
#include <memory>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <boost/algorithm/string/predicate.hpp>

namespace proxywatch {
namespace {

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  std::vector<unsigned char> out(text.size() / 4 * 3);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding's zero bytes too.
  std::size_t size = static_cast<std::size_t>(n);
  for (std::size_t i = text.size(); i > 0 && text[i - 1] == '=' && size > 0; --i) --size;
  return std::string(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(size));
}

std::string sha256(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), size);
}

bool same(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::optional<std::pair<std::string, std::string>> parse_basic_authorization(
    std::string_view header) {
  const auto space = header.find(' ');
  if (space == std::string_view::npos ||
      !boost::algorithm::iequals(header.substr(0, space), "basic")) {
    return std::nullopt;
  }
  std::string_view token = header.substr(space + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  auto decoded = base64_decode(token);
  if (!decoded) return std::nullopt;
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return std::make_pair(decoded->substr(0, colon), decoded->substr(colon + 1));
}

bool crypt_matches(const std::string& password, const std::string& hash) {
  auto data = std::make_unique<crypt_data>();
  const char* result =
      crypt_rn(password.c_str(), hash.c_str(), data.get(), static_cast<int>(sizeof(crypt_data)));
  // crypt_rn returns nullptr (or a "*"-string) for a setting it cannot use.
  if (result == nullptr || result[0] == '*') return false;
  return same(std::string(result), hash);
}

std::string bcrypt_hash(const std::string& password, int cost) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  // A null random source: libcrypt takes the salt from the kernel (getentropy).
  if (crypt_gensalt_rn("$2y$", static_cast<unsigned long>(cost), nullptr, 0, setting,
                       sizeof(setting)) == nullptr) {
    return "";
  }
  auto data = std::make_unique<crypt_data>();
  const char* hash =
      crypt_rn(password.c_str(), setting, data.get(), static_cast<int>(sizeof(crypt_data)));
  return hash == nullptr || hash[0] == '*' ? "" : std::string(hash);
}

std::optional<bool> BasicAuth::cached(std::string_view header) const {
  auto credentials = parse_basic_authorization(header);
  if (!credentials) return false;
  const auto& [user, password] = *credentials;
  const auto known = users_.find(user);
  if (known == users_.end()) return std::nullopt;  // as long as a known user's wrong password
  const std::string digest = sha256(password + '\0' + known->second);
  std::lock_guard lock(mutex_);
  if (const auto hit = accepted_.find(user); hit != accepted_.end() && same(hit->second, digest)) {
    return true;
  }
  return std::nullopt;
}

bool BasicAuth::check(std::string_view header) {
  if (std::optional<bool> known = cached(header)) return *known;
  auto credentials = parse_basic_authorization(header);
  if (!credentials || users_.empty()) return false;
  const auto& [user, password] = *credentials;
  const auto entry = users_.find(user);
  if (entry == users_.end()) {
    // The same work as a known user's wrong password (exporter-toolkit compares unknown users
    // against a fixed hash): a bcrypt of the first user's hash, whose result does not matter.
    static_cast<void>(crypt_matches(password, users_.begin()->second));
    return false;
  }
  if (!crypt_matches(password, entry->second)) return false;
  const std::string digest = sha256(password + '\0' + entry->second);
  std::lock_guard lock(mutex_);
  accepted_[user] = digest;
  return true;
}

}  // namespace proxywatch
