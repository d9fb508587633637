// Configuration files read through the one bounded reader (common/regular_file.h), and what
// their errors mean to an operator.
#include "config/text_file.h"

namespace proxywatch::config {

Result<std::string> read_text_file(const std::string& path) {
  return read_regular_file(path, RegularFileLimits{.max_bytes = kMaxConfigFileBytes});
}

Result<std::string> read_secret_file(const std::string& path, bool private_only, unsigned& mode) {
  // The mode is the descriptor's, taken before a byte is read: no rename between a check and
  // the read can swap the file.
  return read_regular_file(path, RegularFileLimits{.max_bytes = kMaxConfigFileBytes},
                           [&](const struct stat& info) -> std::error_code {
                             mode = info.st_mode & 07777;
                             if (private_only && (info.st_mode & 077) != 0) {
                               return std::make_error_code(std::errc::permission_denied);
                             }
                             return {};
                           });
}

bool is_file_absent(const Error& error) {
  return error.kind == Error::Kind::kNotFound;
}

Error unreadable_config(const Error& read) {
  Error out = read;
  if (is_file_absent(read)) {
    out.message = "file does not exist";
  } else if (read.code == std::errc::file_too_large) {
    out.message = "file is larger than " + std::to_string(kMaxConfigFileBytes / 1024) +
                  " KiB; this is not a configuration file";
  } else if (read.code == std::errc::invalid_argument) {
    out.message = "not a regular file";
  } else {
    out.message = "cannot read: " + read.code.message();
  }
  return out;
}

}  // namespace proxywatch::config
