// open/fstat/read with the checks of regular_file.h; every buffer left behind is wiped.
#include "common/regular_file.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace proxywatch {
namespace {

// The error of reading `path`: `code`, worded by the system.
Error read_error(const std::string& path, std::error_code code) {
  bool absent = code == std::errc::no_such_file_or_directory;
  return Error{.kind = absent ? Error::Kind::kNotFound : Error::Kind::kUnreadable,
               .message = code.message(),
               .where = FilePosition{.file = path},
               .code = code};
}

std::error_code last_error() {
  return std::error_code(errno, std::system_category());
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// Reads to the end of `fd` into a string reserved for `expected` bytes. Reads go straight
// into the string (no bounce buffer), so with `expected` above the file's size the text exists
// in one place only; a buffer outgrown is wiped before it is freed.
Result<std::string> read_all(const std::string& path, int fd, std::size_t expected,
                             std::size_t max) {
  std::string text;
  text.reserve(std::max<std::size_t>(expected, 8192));
  for (;;) {
    if (text.size() == text.capacity()) {
      std::string bigger;
      bigger.reserve(text.capacity() * 2);
      bigger.append(text);
      wipe(text);
      text.swap(bigger);
    }
    std::size_t used = text.size();
    std::size_t room = text.capacity() - used;
    text.resize(text.capacity());
    ssize_t n = ::read(fd, text.data() + used, room);
    int read_errno = errno;
    text.resize(used + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
    if (n < 0 && read_errno == EINTR) continue;
    if (n < 0) {
      wipe(text);
      return read_error(path, std::error_code(read_errno, std::system_category()));
    }
    if (n == 0) return text;
    if (text.size() > max) {
      wipe(text);
      return read_error(path, std::make_error_code(std::errc::file_too_large));
    }
  }
}

}  // namespace

Result<std::string> read_regular_file(const std::string& path, const RegularFileLimits& limits,
                                      const FileAdmission& admit) {
  int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  if (!limits.follow_symlinks) flags |= O_NOFOLLOW;
  int raw = -1;
  do {
    raw = ::open(path.c_str(), flags);
  } while (raw < 0 && errno == EINTR);
  if (raw < 0) return read_error(path, last_error());
  FileDescriptor fd(raw);
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return read_error(path, last_error());
  // A FIFO or device could block or never end (O_NONBLOCK above keeps open() itself from
  // waiting for a FIFO's writer); only regular files are read.
  if (S_ISDIR(info.st_mode))
    return read_error(path, std::make_error_code(std::errc::is_a_directory));
  if (!S_ISREG(info.st_mode)) {
    return read_error(path, std::make_error_code(std::errc::invalid_argument));
  }
  if (admit) {
    if (std::error_code refused = admit(info)) return read_error(path, refused);
  }
  auto size = static_cast<std::size_t>(std::max<off_t>(info.st_size, 0));
  if (size > limits.max_bytes) {
    return read_error(path, std::make_error_code(std::errc::file_too_large));
  }
  // One byte more than the file holds, so reading to its end needs no second buffer.
  return read_all(path, fd.get(), size + 1, limits.max_bytes);
}

void wipe(std::string& text) {
  ::explicit_bzero(text.data(), text.size());
  text.clear();
}

}  // namespace proxywatch
