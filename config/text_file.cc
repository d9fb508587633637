// Configuration files read through the one bounded reader (common/regular_file.h), and what
// their errors mean to an operator.
#include "config/text_file.h"

#include <cerrno>

namespace proxywatch::config {
namespace {

namespace errc = boost::system::errc;

}  // namespace

boost::system::result<std::string> read_text_file(const std::string& path) {
  return read_regular_file(path, RegularFileLimits{.max_bytes = kMaxConfigFileBytes});
}

boost::system::result<std::string> read_secret_file(const std::string& path, bool private_only,
                                                    unsigned& mode) {
  // The mode is the descriptor's, taken before a byte is read: no rename between a check and
  // the read can swap the file.
  return read_regular_file(
      path, RegularFileLimits{.max_bytes = kMaxConfigFileBytes},
      [&](const struct stat& info) -> std::error_code {
        mode = info.st_mode & 07777;
        if (private_only && (info.st_mode & 077) != 0) {
          return std::make_error_code(std::errc::permission_denied);
        }
        return {};
      });
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
