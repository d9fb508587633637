// Reading a file whole, bounded: the one way proxywatch reads a file it is given (the YAML and
// proxy files, credentials, the state file). Only a regular file is read — a FIFO, a device or
// a directory could block or never end — never more than a stated size, into one buffer sized
// before reading (so a secret exists in one place only), with the errno reaching the caller
// unchanged. The one piece of I/O in the vocabulary, because every stage that reads needs it.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <functional>
#include <string>
#include <system_error>

#include "common/error.h"

namespace proxywatch {

struct RegularFileLimits {
  // A larger file: errc::file_too_large, read no further.
  std::size_t max_bytes = 0;
  // false: a symlink is refused (ELOOP, errc::too_many_symbolic_link_levels).
  bool follow_symlinks = true;
};

// Sees the file's fstat before a byte is read; a non-zero code refuses it with that code.
using FileAdmission = std::function<std::error_code(const struct stat& info)>;

// Reads the file at `path`. The error's `code` is the errno of open, fstat or read (ENOENT when
// absent, Kind::kNotFound; every other error is Kind::kUnreadable), is_a_directory for a
// directory, invalid_argument for any other file that is not regular, file_too_large past
// limits.max_bytes, or what `admit` returned; its message is the code's text, its position the
// file. The open never blocks (O_NONBLOCK), never becomes a controlling terminal, and EINTR is
// retried.
Result<std::string> read_regular_file(const std::string& path, const RegularFileLimits& limits,
                                      const FileAdmission& admit = {});

// Overwrites `text` (explicit_bzero, which the compiler may not drop) and empties it.
void wipe(std::string& text);

}  // namespace proxywatch
