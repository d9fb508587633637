// The daemon's side of sd_notify(3): each call sends one datagram with the assignments systemd
// expects (READY=1 with STATUS=, RELOADING=1 with MONOTONIC_USEC=, STOPPING=1, WATCHDOG=1), a
// status never spans two lines, nothing happens without NOTIFY_SOCKET, and the watchdog
// interval comes from WATCHDOG_USEC only when it is meant for this process.
#include "daemon/systemd_notify.h"

#include <gtest/gtest.h>

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>

#include "tests/support/notify_socket.h"
#include "tests/support/temp_dir.h"

namespace proxywatch {
namespace {

using namespace std::chrono_literals;

// Sets (or, with nullopt, unsets) an environment variable for the scope, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = ::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class SystemdNotifyTest : public ::testing::Test {
 protected:
  // The message holding `needle`, waited for up to two seconds (sd_notify has queued it on the
  // socket before it returns); "" when none came. Each test sends distinct messages.
  std::string message_with(const std::string& needle) {
    if (!socket_.wait_for(needle, 2s)) return "";
    for (const std::string& message : socket_.messages()) {
      if (message.find(needle) != std::string::npos) return message;
    }
    return "";
  }

  testing::TempDir dir_{"pw-notify"};
  testing::NotifySocket socket_{dir_.path() / "notify.sock"};
  ScopedEnv notify_socket_{"NOTIFY_SOCKET", socket_.path().string()};
};

TEST_F(SystemdNotifyTest, ReadySendsReadyAndStatusInOneMessage) {
  notify_ready("proxy 10.10.10.1:80: 2 targets");
  EXPECT_EQ(message_with("READY=1"), "READY=1\nSTATUS=proxy 10.10.10.1:80: 2 targets");
  EXPECT_EQ(socket_.messages().size(), 1u);
}

TEST_F(SystemdNotifyTest, StatusAloneIsOneStatusAssignment) {
  notify_status("2 targets: 1 healthy, 1 failing (acl_block)");
  EXPECT_EQ(message_with("STATUS="), "STATUS=2 targets: 1 healthy, 1 failing (acl_block)");
}

TEST_F(SystemdNotifyTest, NewlinesInAStatusBecomeSpaces) {
  notify_status("first\nREADY=1\nthird");
  EXPECT_EQ(message_with("STATUS="), "STATUS=first READY=1 third");
  EXPECT_EQ(socket_.messages().size(), 1u);
}

TEST_F(SystemdNotifyTest, ReloadingCarriesTheMonotonicClockNow) {
  timespec before{};
  ::clock_gettime(CLOCK_MONOTONIC, &before);
  notify_reloading("reloading configuration");
  timespec after{};
  ::clock_gettime(CLOCK_MONOTONIC, &after);
  const std::string message = message_with("RELOADING=1");
  ASSERT_TRUE(message.starts_with("RELOADING=1\nMONOTONIC_USEC=")) << message;
  const std::size_t value_at = message.find('=', 12) + 1;
  const std::size_t value_end = message.find('\n', value_at);
  ASSERT_NE(value_end, std::string::npos) << message;
  const long long usec = std::stoll(message.substr(value_at, value_end - value_at));
  EXPECT_GE(usec, before.tv_sec * 1'000'000LL + before.tv_nsec / 1000);
  EXPECT_LE(usec, after.tv_sec * 1'000'000LL + after.tv_nsec / 1000);
  EXPECT_EQ(message.substr(value_end), "\nSTATUS=reloading configuration");
}

TEST_F(SystemdNotifyTest, StoppingAndWatchdogAreBareAssignments) {
  notify_stopping();
  EXPECT_EQ(message_with("STOPPING"), "STOPPING=1");
  notify_watchdog();
  EXPECT_EQ(message_with("WATCHDOG"), "WATCHDOG=1");
}

TEST_F(SystemdNotifyTest, WithoutNotifySocketNothingIsSent) {
  {
    ScopedEnv unset("NOTIFY_SOCKET", std::nullopt);
    notify_ready("unheard");
    notify_status("unheard");
    notify_stopping();
  }
  // What was sent is queued by the time sd_notify returns: the marker sent last comes after it.
  notify_status("marker");
  ASSERT_NE(message_with("marker"), "");
  EXPECT_EQ(socket_.messages().size(), 1u) << socket_.messages().front();
}

TEST(SystemdWatchdogTest, IntervalIsWatchdogUsecForThisProcess) {
  ScopedEnv usec("WATCHDOG_USEC", "2500000");
  ScopedEnv pid("WATCHDOG_PID", std::to_string(::getpid()));
  EXPECT_EQ(watchdog_interval(), std::chrono::microseconds(2'500'000));
}

TEST(SystemdWatchdogTest, IntervalWithoutPidIsForThisProcess) {
  ScopedEnv usec("WATCHDOG_USEC", "30000000");
  ScopedEnv pid("WATCHDOG_PID", std::nullopt);
  EXPECT_EQ(watchdog_interval(), std::chrono::microseconds(30'000'000));
}

TEST(SystemdWatchdogTest, NoIntervalWhenUnsetZeroInvalidOrForAnotherProcess) {
  {
    ScopedEnv usec("WATCHDOG_USEC", std::nullopt);
    EXPECT_FALSE(watchdog_interval().has_value());
  }
  {
    ScopedEnv usec("WATCHDOG_USEC", "0");
    EXPECT_FALSE(watchdog_interval().has_value());
  }
  {
    ScopedEnv usec("WATCHDOG_USEC", "ten seconds");
    EXPECT_FALSE(watchdog_interval().has_value());
  }
  {
    ScopedEnv usec("WATCHDOG_USEC", "2500000");
    ScopedEnv pid("WATCHDOG_PID", std::to_string(::getpid() + 1));
    EXPECT_FALSE(watchdog_interval().has_value());
  }
}

}  // namespace
}  // namespace proxywatch
