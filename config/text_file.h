// Reading a configuration file whole, with the distinctions the daemon reports: absent,
// unreadable, or read. Through common/regular_file.h, so the errno reaches the operator
// unchanged.
#pragma once

#include <cstddef>
#include <string>

#include "common/regular_file.h"
#include "config/config_error.h"

namespace proxywatch::config {

// Configuration files are small; anything larger is a mistake (or /dev/zero).
inline constexpr std::size_t kMaxConfigFileBytes = 1 << 20;

// Reads the file at `path`. The error's code: the errno of open/read (no_such_file_or_directory
// when it is absent, is_a_directory for a directory), invalid_argument for other non-regular
// files (FIFOs, devices) or file_too_large beyond kMaxConfigFileBytes. Follows symlinks.
Result<std::string> read_text_file(const std::string& path);

// Like read_text_file, for a file holding a password: the mode is taken by fstat of the
// descriptor that is read (no rename between a check and the read can swap the file), and with
// `private_only` a file its group or others may read is refused unread with
// std::errc::permission_denied and its mode in `mode`. The text is read into one buffer sized
// before reading, so no reallocation leaves a copy behind; wipe it with wipe()
// (common/regular_file.h) when done.
Result<std::string> read_secret_file(const std::string& path, bool private_only, unsigned& mode);

// True when `error` from read_text_file means "there is no such file" (not "cannot read it").
bool is_file_absent(const Error& error);

// `read`, an error of read_text_file or read_secret_file, in the words of a configuration file:
// "file does not exist", "not a regular file", "cannot read: <the system's text>" ...
Error unreadable_config(const Error& read);

}  // namespace proxywatch::config
