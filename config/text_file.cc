// Whole-file reads with open/fstat/read, retrying on EINTR.
#include "config/text_file.h"

#include <cerrno>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace proxywatch::config {
namespace {

namespace errc = boost::system::errc;

boost::system::error_code last_error() {
  return boost::system::error_code(errno, boost::system::system_category());
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

boost::system::result<std::string> read_all(int fd) {
  std::string text;
  char buffer[8192];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return last_error();
    if (n == 0) return text;
    if (text.size() + static_cast<std::size_t>(n) > kMaxConfigFileBytes) {
      return errc::make_error_code(errc::file_too_large);
    }
    text.append(buffer, static_cast<std::size_t>(n));
  }
}

}  // namespace

boost::system::result<std::string> read_text_file(const std::string& path) {
  int raw = -1;
  do {
    raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  } while (raw < 0 && errno == EINTR);
  if (raw < 0) return last_error();
  FileDescriptor fd(raw);
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return last_error();
  // A FIFO or device could block or never end (O_NONBLOCK above keeps open() itself from
  // waiting for a FIFO's writer); only regular files are configuration.
  if (S_ISDIR(info.st_mode)) return errc::make_error_code(errc::is_a_directory);
  if (!S_ISREG(info.st_mode)) return errc::make_error_code(errc::invalid_argument);
  return read_all(fd.get());
}

bool is_file_absent(const boost::system::error_code& error) {
  return error == errc::no_such_file_or_directory;
}

ConfigError file_error(const std::string& path, const boost::system::error_code& error) {
  ConfigError out;
  out.file = path;
  if (is_file_absent(error)) {
    out.kind = ConfigError::Kind::kNotFound;
    out.message = "file does not exist";
  } else if (error == errc::file_too_large) {
    out.kind = ConfigError::Kind::kUnreadable;
    out.message = "file is larger than " + std::to_string(kMaxConfigFileBytes / 1024) +
                  " KiB; this is not a configuration file";
  } else if (error == errc::invalid_argument) {
    out.kind = ConfigError::Kind::kUnreadable;
    out.message = "not a regular file";
  } else {
    out.kind = ConfigError::Kind::kUnreadable;
    out.message = "cannot read: " + error.message();
  }
  return out;
}

}  // namespace proxywatch::config
