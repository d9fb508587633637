// flock(2) on the state directory's lock file.
#include "daemon/state_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <filesystem>
#include <string_view>

namespace proxywatch {
namespace {

// The PID a holder wrote, or "" when the file holds none (a holder that is still writing it).
std::string holder_pid(int fd) {
  std::array<char, 32> text{};
  ssize_t n = ::pread(fd, text.data(), text.size() - 1, 0);
  if (n <= 0) return {};
  std::string_view view(text.data(), static_cast<std::size_t>(n));
  while (!view.empty() && (view.back() == '\n' || view.back() == ' ')) view.remove_suffix(1);
  unsigned long pid = 0;
  auto [end, ec] = std::from_chars(view.data(), view.data() + view.size(), pid);
  if (ec != std::errc() || end != view.data() + view.size()) return {};
  return std::to_string(pid);
}

Error system_error(Error::Kind kind, std::string message, int error) {
  return Error{.kind = kind,
               .message = std::move(message) + ": " + errno_text(error),
               .code = std::error_code(error, std::system_category())};
}

}  // namespace

StateDirLock& StateDirLock::operator=(StateDirLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

StateDirLock::~StateDirLock() {
  if (fd_ >= 0) ::close(fd_);
}

Result<StateDirLock> StateDirLock::acquire(const std::string& state_dir) {
  const std::string path = (std::filesystem::path(state_dir) / kStateLockName).string();
  // O_NOFOLLOW: a symlink planted in the state directory does not make the daemon truncate the
  // file it points to.
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) {
    int error = errno;
    auto kind = error == ENOENT ? Error::Kind::kNotFound : Error::Kind::kUnreadable;
    return system_error(kind, "cannot open the lock file " + path, error);
  }
  StateDirLock lock(fd);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    if (error != EWOULDBLOCK)
      return system_error(Error::Kind::kUnreadable, "cannot lock " + path, error);
    std::string pid = holder_pid(fd);
    return error_text("another proxywatch daemon" + (pid.empty() ? "" : " (PID " + pid + ")") +
                      " uses the state directory " + state_dir +
                      ": give each daemon its own state_dir, or stop the other one");
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    // The lock holds without the PID; only the second daemon's message is poorer.
  }
  return lock;
}

}  // namespace proxywatch
