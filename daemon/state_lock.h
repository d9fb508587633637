// One daemon per state directory: an exclusive flock(2) on `state_dir/proxywatch.lock`, held for
// the daemon's life, so that two daemons (different ports, the same state_dir) cannot overwrite
// each other's history. The file holds the holder's PID for the second one's message. The
// kernel drops the lock when the process ends, however it ends: nothing to clean up after a
// kill -9.
#pragma once

#include <string>

#include "common/error.h"

namespace proxywatch {

// The lock file's name in the state directory.
inline constexpr std::string_view kStateLockName = "proxywatch.lock";

class StateDirLock {
 public:
  StateDirLock() = default;
  StateDirLock(StateDirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  StateDirLock& operator=(StateDirLock&& other) noexcept;
  StateDirLock(const StateDirLock&) = delete;
  StateDirLock& operator=(const StateDirLock&) = delete;
  ~StateDirLock();

  // Takes the lock of `state_dir` and writes this process's PID into the file. Errors: another
  // process holds it (Kind::kInvalid, naming its PID and the directory); the directory does not
  // exist (Kind::kNotFound) or the file cannot be opened or locked (Kind::kUnreadable), each
  // with the system's error.
  static Result<StateDirLock> acquire(const std::string& state_dir);

  bool held() const { return fd_ >= 0; }

 private:
  explicit StateDirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace proxywatch
