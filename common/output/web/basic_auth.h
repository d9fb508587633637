// HTTP basic authentication for the listener (RFC 7617), as the web configuration file of
// Prometheus exporters describes it: users with bcrypt password hashes, verified with the
// system's libcrypt (crypt_rn), never with a bcrypt of our own. Verifying a bcrypt hash costs
// tens of milliseconds by design, so a user's last accepted password is remembered as a SHA-256
// digest and a scrape every few seconds costs one hash, not one bcrypt.
//
// Thread-safety: BasicAuth is not thread-safe (the listener's one thread uses it).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace proxywatch {

// The user and password of an Authorization header value "Basic <base64(user:password)>"
// (the scheme name case-insensitive, RFC 7617 §2), decoded with OpenSSL; nullopt when it is
// another scheme or malformed.
std::optional<std::pair<std::string, std::string>> parse_basic_authorization(
    std::string_view header);

// Whether `password` hashes to `hash` (a crypt(5) setting such as a bcrypt "$2y$10$..."),
// compared in constant time. False for a hash libcrypt cannot use.
bool crypt_matches(const std::string& password, const std::string& hash);

class BasicAuth {
 public:
  // User name → bcrypt hash.
  explicit BasicAuth(std::map<std::string, std::string> users) : users_(std::move(users)) {}

  // Whether the Authorization header value `header` names a known user with the right password.
  bool check(std::string_view header);

 private:
  std::map<std::string, std::string> users_;
  std::map<std::string, std::string> accepted_;  // user → SHA-256(password + hash) last accepted
};

}  // namespace proxywatch
