// The stand-in NOTIFY_SOCKET: bind, then poll and recv with a deadline.
#include "tests/support/notify_socket.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>

namespace proxywatch::testing {

NotifySocket::NotifySocket(std::filesystem::path path) : path_(std::move(path)) {
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path_.c_str());
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("cannot bind the notify socket " + path_.string());
  }
}

NotifySocket::~NotifySocket() {
  if (fd_ >= 0) ::close(fd_);
}

bool NotifySocket::seen(const std::string& needle) const {
  for (const auto& m : messages_) {
    if (m.find(needle) != std::string::npos) return true;
  }
  return false;
}

bool NotifySocket::read_one(std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
  char buf[4096];
  ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
  if (n > 0) messages_.emplace_back(buf, static_cast<std::size_t>(n));
  return n > 0;
}

// Both loops are bounded in count as well as time: a flood of messages cannot keep them going.
bool NotifySocket::wait_for(const std::string& needle, std::chrono::milliseconds deadline) {
  auto end = std::chrono::steady_clock::now() + deadline;
  for (int i = 0; i < 10'000; ++i) {
    if (seen(needle)) return true;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    read_one(left);
  }
  return false;
}

void NotifySocket::read_for(std::chrono::milliseconds duration) {
  auto end = std::chrono::steady_clock::now() + duration;
  for (int i = 0; i < 10'000; ++i) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    read_one(left);
  }
}

}  // namespace proxywatch::testing
