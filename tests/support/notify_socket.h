// NotifySocket: a unix datagram socket standing in for systemd's NOTIFY_SOCKET, so a test can
// read what the daemon tells systemd (READY=1, STATUS=..., RELOADING=1, STOPPING=1).
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace proxywatch::testing {

class NotifySocket {
 public:
  // Binds a datagram socket at `path` (which must not exist yet).
  explicit NotifySocket(std::filesystem::path path);
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Waits up to `deadline` for a message containing `needle`; every message read is kept.
  bool wait_for(const std::string& needle, std::chrono::milliseconds deadline);

  // Reads (and keeps) every message that arrives within `duration`.
  void read_for(std::chrono::milliseconds duration);

  // Every message read so far, oldest first (wait_for reads; this does not).
  const std::vector<std::string>& messages() const { return messages_; }
  void clear() { messages_.clear(); }

 private:
  bool seen(const std::string& needle) const;
  // Reads one message if one arrives within `timeout`; false when none did.
  bool read_one(std::chrono::milliseconds timeout);

  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<std::string> messages_;
};

}  // namespace proxywatch::testing
