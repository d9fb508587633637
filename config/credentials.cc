// Reading proxy credentials from a file or a systemd credential.
#include "config/credentials.h"

#include <sys/stat.h>

#include <fmt/format.h>
#include <algorithm>
#include <cstdlib>

#include "config/text_file.h"

namespace proxywatch::config {
namespace {

ConfigError invalid(const std::string& file, int line, std::string message) {
  return ConfigError{.kind = ConfigError::Kind::kInvalid,
                     .file = file,
                     .line = line,
                     .column = line == 0 ? 0 : 1,
                     .key_path = {},
                     .message = std::move(message)};
}

// Splits `text` into lines, removing each "\n" or "\r\n".
std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = std::min(text.find('\n', pos), text.size());
    std::string line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    pos = end + 1;
  }
  return lines;
}

// An error when `path` exists and its group or others may read it.
std::optional<ConfigError> not_private(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || (st.st_mode & 077) == 0) return std::nullopt;
  return invalid(path, 0,
                 fmt::format("is readable by group or others (mode {:04o}); the password must be "
                             "private: chmod 600 {}",
                             st.st_mode & 07777, path));
}

}  // namespace

ConfigResult<ProxyCredentials> parse_credentials(const std::string& text, const std::string& file) {
  if (text.find('\0') != std::string::npos) return invalid(file, 0, "holds a NUL byte");
  std::vector<std::string> lines = split_lines(text);
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
  return ProxyCredentials{.user = lines[0], .password = lines[1]};
}

ConfigResult<ProxyCredentials> load_credentials_file(const std::string& path,
                                                     bool require_private) {
  if (require_private) {
    if (auto error = not_private(path)) return *error;
  }
  auto text = read_text_file(path);
  if (!text) return file_error(path, text.error());
  auto parsed = parse_credentials(*text, path);
  std::fill(text->begin(), text->end(), '\0');
  return parsed;
}

ConfigResult<std::string> load_password_file(const std::string& path) {
  if (auto error = not_private(path)) return *error;
  auto text = read_text_file(path);
  if (!text) return file_error(path, text.error());
  std::string password = std::move(*text);
  if (!password.empty() && password.back() == '\n') password.pop_back();
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.find('\n') != std::string::npos) {
    std::fill(password.begin(), password.end(), '\0');
    return invalid(path, 2, "must hold the password on one line");
  }
  return password;
}

ConfigResult<std::optional<LoadedCredentials>> load_credentials(
    const std::optional<std::string>& credentials_file,
    const std::optional<std::string>& credentials_directory) {
  if (credentials_file) {
    auto loaded = load_credentials_file(*credentials_file, true);
    if (!loaded) return loaded.error();
    return LoadedCredentials{*loaded, "credentials file " + *credentials_file};
  }
  if (!credentials_directory) return std::optional<LoadedCredentials>();
  std::string path = *credentials_directory + "/" + kSystemdCredentialName;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::optional<LoadedCredentials>();
  // systemd makes the credential readable by the service alone; its mode is not ours to judge.
  auto loaded = load_credentials_file(path, false);
  if (!loaded) return loaded.error();
  return LoadedCredentials{*loaded, std::string("systemd credential ") + kSystemdCredentialName};
}

std::optional<std::string> credentials_directory_from_env() {
  const char* value = std::getenv("CREDENTIALS_DIRECTORY");
  if (!value || !*value) return std::nullopt;
  return std::string(value);
}

}  // namespace proxywatch::config
