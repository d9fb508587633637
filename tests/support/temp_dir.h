// TempDir: a directory under /tmp that lives as long as a test needs it. Servers started by the
// tests (squid, tinyproxy) keep their configuration, logs and pid files in one, so that nothing
// is left behind and parallel tests never share a file.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace proxywatch::testing {

// Owns a fresh directory /tmp/PREFIX-XXXXXX with mode 0755 (servers that drop privileges must
// read it); removes it and everything in it on destruction. Not thread-safe; not copyable.
class TempDir {
 public:
  // Creates the directory; throws std::runtime_error if mkdtemp or chmod fails.
  explicit TempDir(std::string_view prefix = "proxywatch");
  // Removes the directory recursively; errors are ignored (a destructor must not throw).
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // The absolute path of the directory.
  const std::filesystem::path& path() const { return path_; }

  // Writes `text` to the file `name` inside the directory (mode 0644, replacing any old file)
  // and returns its path; throws std::runtime_error on failure.
  std::filesystem::path write_file(std::string_view name, std::string_view text) const;

  // Reads the file `name` inside the directory; returns "" if it does not exist.
  std::string read_file(std::string_view name) const;

  // Makes `user` (and its primary group) own the directory, so that a server which drops
  // privileges to that user can create its logs and pid file there; throws if the user is
  // unknown or chown fails.
  void give_to_user(const std::string& user) const;

 private:
  std::filesystem::path path_;
};

}  // namespace proxywatch::testing
