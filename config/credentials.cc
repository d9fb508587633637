// Reading proxy credentials from a file or a systemd credential.
#include "config/credentials.h"

#include <sys/stat.h>

#include <fmt/format.h>
#include <algorithm>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "config/text_file.h"

namespace proxywatch::config {
namespace {

Error invalid(const std::string& file, int line, std::string message) {
  return file_error(file, line, line == 0 ? 0 : 1, "", std::move(message));
}

// Splits `text` into lines, without each "\n" or "\r\n"; views into `text`, so the password
// is not copied.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    pos = end + 1;
  }
  return lines;
}

Error not_private(const std::string& path, unsigned mode) {
  return invalid(path, 0,
                 fmt::format("is readable by group or others (mode {:04o}); the password must be "
                             "private: chmod 600 {}",
                             mode, path));
}

// The file's text, read from one descriptor whose fstat decides privacy (see read_secret_file).
Result<std::string> read_secret(const std::string& path, bool require_private) {
  unsigned mode = 0;
  auto text = read_secret_file(path, require_private, mode);
  if (text) return std::move(*text);
  if (require_private && text.error().code == std::errc::permission_denied && mode != 0) {
    return not_private(path, mode);
  }
  return unreadable_config(text.error());
}

}  // namespace

Result<ProxyCredentials> parse_credentials(const std::string& text, const std::string& file) {
  if (text.find('\0') != std::string::npos) return invalid(file, 0, "holds a NUL byte");
  std::vector<std::string_view> lines = split_lines(text);
  if (lines.size() < 2) {
    return invalid(file, 0, "needs two lines: the user name, then the password");
  }
  for (size_t i = 2; i < lines.size(); ++i) {
    if (!lines[i].empty()) {
      return invalid(file, static_cast<int>(i + 1),
                     "has more than two lines; the password must be on line 2 alone");
    }
  }
  if (lines[0].empty()) return invalid(file, 1, "the user name (line 1) is empty");
  if (lines[0].find(':') != std::string::npos) {
    return invalid(file, 1, "the user name (line 1) holds ':', which HTTP authentication forbids");
  }
  // The user name travels in a Digest header as a quoted-string and is printed by config-check:
  // a control character would break both.
  auto control = [](unsigned char c) { return c < 0x20 || c == 0x7f; };
  if (std::any_of(lines[0].begin(), lines[0].end(), control)) {
    return invalid(file, 1, "the user name (line 1) holds a control character");
  }
  return ProxyCredentials{.user = std::string(lines[0]), .password = std::string(lines[1])};
}

Result<ProxyCredentials> load_credentials_file(const std::string& path, bool require_private) {
  auto text = read_secret(path, require_private);
  if (!text) return text.error();
  auto parsed = parse_credentials(*text, path);
  wipe(*text);
  return parsed;
}

Result<std::string> load_password_file(const std::string& path) {
  auto text = read_secret(path, true);
  if (!text) return text.error();
  std::string password = std::move(*text);
  if (!password.empty() && password.back() == '\n') password.pop_back();
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.find('\n') != std::string::npos) {
    wipe(password);
    return invalid(path, 2, "must hold the password on one line");
  }
  return password;
}

Result<std::optional<LoadedCredentials>> load_credentials(
    const std::optional<std::string>& credentials_file,
    const std::optional<std::string>& credentials_directory) {
  if (credentials_file) {
    auto loaded = load_credentials_file(*credentials_file, true);
    if (!loaded) return loaded.error();
    return LoadedCredentials{std::move(*loaded), "credentials file " + *credentials_file};
  }
  if (!credentials_directory) return std::optional<LoadedCredentials>();
  std::string path = *credentials_directory + "/" + kSystemdCredentialName;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::optional<LoadedCredentials>();
  // systemd makes the credential readable by the service alone; its mode is not ours to judge.
  auto loaded = load_credentials_file(path, false);
  if (!loaded) return loaded.error();
  return LoadedCredentials{std::move(*loaded),
                           std::string("systemd credential ") + kSystemdCredentialName};
}

std::optional<std::string> credentials_directory_from_env() {
  const char* value = std::getenv("CREDENTIALS_DIRECTORY");
  if (!value || !*value) return std::nullopt;
  return std::string(value);
}

}  // namespace proxywatch::config
