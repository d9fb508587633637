// Whole-file reads with open/fstat/read, retrying on EINTR; secret files read in place and wiped.
#include "config/text_file.h"

#include <algorithm>
#include <cerrno>

#include <openssl/crypto.h>

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

// Reads to the end of `fd` into a string reserved for `expected` bytes. Reads go straight
// into the string (no bounce buffer), so with `expected` at least the file's size the text
// exists in one place only; every buffer left behind is wiped.
boost::system::result<std::string> read_all(int fd, std::size_t expected) {
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
      return boost::system::error_code(read_errno, boost::system::system_category());
    }
    if (n == 0) return text;
    if (text.size() > kMaxConfigFileBytes) {
      wipe(text);
      return errc::make_error_code(errc::file_too_large);
    }
  }
}

// Opens `path` for reading and checks it is a regular file; `info` gets its fstat.
boost::system::result<int> open_regular(const std::string& path, struct stat& info) {
  int raw = -1;
  do {
    raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  } while (raw < 0 && errno == EINTR);
  if (raw < 0) return last_error();
  if (::fstat(raw, &info) != 0) {
    auto error = last_error();
    ::close(raw);
    return error;
  }
  // A FIFO or device could block or never end (O_NONBLOCK above keeps open() itself from
  // waiting for a FIFO's writer); only regular files are configuration.
  if (!S_ISREG(info.st_mode)) {
    ::close(raw);
    if (S_ISDIR(info.st_mode)) return errc::make_error_code(errc::is_a_directory);
    return errc::make_error_code(errc::invalid_argument);
  }
  return raw;
}

}  // namespace

boost::system::result<std::string> read_text_file(const std::string& path) {
  struct stat info {};
  auto raw = open_regular(path, info);
  if (!raw) return raw.error();
  FileDescriptor fd(*raw);
  return read_all(fd.get(), 0);
}

boost::system::result<std::string> read_secret_file(const std::string& path, bool private_only,
                                                    unsigned& mode) {
  struct stat info {};
  auto raw = open_regular(path, info);
  if (!raw) return raw.error();
  FileDescriptor fd(*raw);
  mode = info.st_mode & 07777;
  if (private_only && (info.st_mode & 077) != 0) {
    return errc::make_error_code(errc::permission_denied);
  }
  auto size = static_cast<std::size_t>(std::max<off_t>(info.st_size, 0));
  return read_all(fd.get(), std::min(size, kMaxConfigFileBytes) + 1);
}

void wipe(std::string& text) {
  OPENSSL_cleanse(text.data(), text.size());
  text.clear();
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
