// Thin wrappers over libsystemd's sd_notify.
#include "daemon/systemd_notify.h"

#include <ctime>
#include <string>

#include <systemd/sd-daemon.h>

namespace proxywatch {
namespace {

void send(const std::string& message) {
  sd_notify(0, message.c_str());
}

std::string status_line(std::string_view status) {
  std::string line(status);
  for (char& c : line) {
    if (c == '\n') c = ' ';  // one STATUS line; a newline would start another assignment
  }
  return "STATUS=" + line;
}

}  // namespace

void notify_ready(std::string_view status) {
  send("READY=1\n" + status_line(status));
}

void notify_reloading(std::string_view status) {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  auto usec = static_cast<long long>(now.tv_sec) * 1'000'000 + now.tv_nsec / 1000;
  send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec) + "\n" + status_line(status));
}

void notify_stopping() {
  send("STOPPING=1");
}

void notify_status(std::string_view status) {
  send(status_line(status));
}

void notify_watchdog() {
  send("WATCHDOG=1");
}

std::optional<std::chrono::microseconds> watchdog_interval() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec);
}

}  // namespace proxywatch
