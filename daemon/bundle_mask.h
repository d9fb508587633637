// Masking the support bundle's secrets, in two layers. First by what the files say: the value of
// every password-like key of FMC's proxy file and of the YAML files (the daemon's and the web
// configuration), the hashes under basic_auth_users, bcrypt hashes and passwords in URLs
// anywhere; each masked value is replaced by kMaskText and listed (file, line, key — never the
// value). Then, as the last safety net over every file's bytes (text or pcap), the configured
// passwords themselves and their base64 — alone and as Basic sends them, of "user:password" —
// are overwritten with 'x', byte for byte, so a pcap keeps its lengths.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/probe_spec.h"

namespace proxywatch {

// A password shorter than this is not searched for in the bytes: it would match ordinary text
// everywhere. README.txt says so; the keys that hold it are masked all the same.
inline constexpr std::size_t kMinSecretBytes = 4;

// What a masked value reads as.
inline constexpr std::string_view kMaskText = "<masked>";

// One thing masked: where, and what it was (a key's name, never its value).
struct MaskEntry {
  std::string file;  // the name inside the bundle
  int line = 0;      // 1-based; 0: bytes anywhere in the file (the safety net)
  std::string what;  // "key PROXY_PASSWORD", "2 times the base64 of user:password"
  friend bool operator==(const MaskEntry&, const MaskEntry&) = default;
};

// A file's text with its secrets masked, and what was masked.
struct MaskedText {
  std::string text;
  std::vector<MaskEntry> masked;
};

// True for a key whose value is a secret: its name holds "pas", "pwd", "secret" or "token" in
// any case (PROXY_PASSWORD, PROXY_PASS, misspelt PROXY_PASWD, passwd, client_secret), unless it
// names a file ("_file"). Wider than the proxy file's own rule (any key holding "PASS"): a
// misspelt key's value is never used, but may still be a password.
bool is_secret_key_name(std::string_view key);

// FMC's iprep_proxy.conf (`KEY VALUE;`, config/iprep_proxy_conf.h), named `file` in the bundle:
// after a secret key, the rest of its line up to a last ';' is masked (the proxy file's lexer
// lets a password hold ';', '#', quotes and spaces: it runs to the line's last ';'). Keys are
// recognised in comments too: an old password commented out is still a password.
MaskedText mask_proxy_file(std::string_view text, std::string_view file);

// A YAML file (the daemon's, or the web configuration): the value of every secret key, block
// or flow style; every value under a `basic_auth_users:` mapping.
MaskedText mask_yaml_file(std::string_view text, std::string_view file);

// In any text: bcrypt hashes ($2a$, $2b$, $2y$) and the password of a URL's user information
// (scheme://user:PASSWORD@host). Applied by both functions above.
void mask_in_any_text(std::string& text, std::string_view file, std::vector<MaskEntry>& masked);

// A byte sequence the safety net removes, and what it is called in masked.txt.
struct Secret {
  std::string bytes;
  std::string what;  // "the proxy password", "the base64 of user:password"
};

// The secrets of `credentials`: each password, the base64 of each password and of each
// "user:password". Empty passwords give none.
std::vector<Secret> secrets_of(const std::vector<ProxyCredentials>& credentials);

// Overwrites every occurrence of every secret in `bytes` with 'x' (the same length) and lists
// how many of each there were under `file`. Returns true when anything was overwritten.
bool mask_secret_bytes(std::string& bytes, const std::vector<Secret>& secrets,
                       std::string_view file, std::vector<MaskEntry>& masked);

// masked.txt: what the list holds, one line per entry ("proxy/iprep_proxy.conf:4: key
// PROXY_PASSWORD"), or a line saying that nothing was masked.
std::string format_masked_list(const std::vector<MaskEntry>& masked);

}  // namespace proxywatch
