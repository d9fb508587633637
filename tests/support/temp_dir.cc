// TempDir: mkdtemp under /tmp, recursive removal on destruction.
#include "tests/support/temp_dir.h"

#include "tests/support/read_file.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace proxywatch::testing {
namespace {

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

}  // namespace

TempDir::TempDir(std::string_view prefix) {
  std::string pattern = "/tmp/" + std::string(prefix) + "-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) throw_errno("mkdtemp " + pattern);
  path_ = buffer.data();
  // mkdtemp makes 0700; squid and tinyproxy run as other users and must read their config.
  if (::chmod(path_.c_str(), 0755) != 0) throw_errno("chmod " + path_.string());
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path TempDir::write_file(std::string_view name, std::string_view text) const {
  const std::filesystem::path file = path_ / name;
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out.flush()) throw std::runtime_error("cannot write " + file.string());
  }
  if (::chmod(file.c_str(), 0644) != 0) throw_errno("chmod " + file.string());
  return file;
}

std::string TempDir::read_file(std::string_view name) const {
  return read_file_or_empty(path_ / name);
}

void TempDir::give_to_user(const std::string& user) const {
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> strings(4096);
  ::getpwnam_r(user.c_str(), &entry, strings.data(), strings.size(), &found);
  if (found == nullptr) throw std::runtime_error("unknown user " + user);
  if (::chown(path_.c_str(), entry.pw_uid, entry.pw_gid) != 0) {
    throw_errno("chown " + path_.string() + " to " + user);
  }
}

}  // namespace proxywatch::testing
