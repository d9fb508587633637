// HTTP basic authentication for the listener (RFC 7617), as the web configuration file of
// Prometheus exporters describes it: users with bcrypt password hashes, verified with the
// system's libcrypt (crypt_rn), never with a bcrypt of our own. Verifying a bcrypt hash costs
// tens of milliseconds by design, so a user's last accepted password is remembered as a SHA-256
// digest and a scrape every few seconds costs one hash, not one bcrypt. A user name that does not
// exist costs a bcrypt too (of the first user's hash, which never matches), so the time of an
// answer does not tell which user names exist.
//
// Thread-safety: every member may be called from any thread (the listener answers what
// cached() decides on its own thread and runs check() on its bcrypt workers).
#pragma once

#include <map>
#include <mutex>
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

// A bcrypt hash ("$2y$NN$...") of `password` at `cost`, with a random salt, as htpasswd -nBC
// makes them; "" when libcrypt cannot make one.
std::string bcrypt_hash(const std::string& password, int cost);

class BasicAuth {
 public:
  // User name → bcrypt hash.
  explicit BasicAuth(std::map<std::string, std::string> users) : users_(std::move(users)) {}

  // What can be decided without a bcrypt: true for the password last accepted for its user,
  // false for a header that is not basic credentials; nullopt when only check() can tell.
  std::optional<bool> cached(std::string_view header) const;

  // Whether the Authorization header value `header` names a known user with the right
  // password; costs one bcrypt unless cached() knows, whether or not the user exists.
  bool check(std::string_view header);

 private:
  const std::map<std::string, std::string> users_;
  mutable std::mutex mutex_;                     // guards accepted_
  std::map<std::string, std::string> accepted_;  // user → SHA-256(password + hash) last accepted
};

}  // namespace proxywatch
