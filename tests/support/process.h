// Subprocesses for tests: run_process() runs a command to completion with its output captured
// and a hard timeout (the CLI's `check` and `config-check`, promtool, openssl); ChildProcess owns
// a long-running server (squid, tinyproxy) and makes sure it is gone when the test ends.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace proxywatch::testing {

// Extra environment variables for a child, on top of (and overriding) the test's environment.
using EnvAdditions = std::map<std::string, std::string>;

// How a run_process() child ended and what it wrote.
struct ProcessResult {
  std::optional<int> exit_code;  // set when the child exited normally
  std::optional<int> signal;     // set when a signal killed it (SIGKILL after a timeout)
  bool timed_out = false;        // the timeout passed and the child was killed
  std::string out;               // everything written to stdout
  std::string err;               // everything written to stderr
};

// Runs argv (argv[0] searched in PATH) with stdin from /dev/null, collecting stdout and stderr
// through pipes (both read as they fill, so neither blocks the child). At `timeout` the child's
// process group is killed with SIGKILL and timed_out is set. Throws std::runtime_error if the
// program cannot be started. Thread-safe.
ProcessResult run_process(const std::vector<std::string>& argv, const EnvAdditions& env = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(30));

// A long-running child with stdin from /dev/null and stdout and stderr appended to a log file.
// The destructor terminates it (see terminate()). Should the test process die without running
// destructors (a crash, a sanitizer abort, ctest's timeout kill), a watchdog process SIGKILLs the
// child's process group, so no squid outlives its test. Not thread-safe; not copyable.
class ChildProcess {
 public:
  // Starts argv (argv[0] searched in PATH) in its own process group; throws
  // std::runtime_error if it cannot be started.
  ChildProcess(const std::vector<std::string>& argv, std::filesystem::path log_file,
               const EnvAdditions& env = {});
  // terminate() with the default grace period.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The child's process id (also its process group id).
  pid_t pid() const { return pid_; }

  // Whether the child is still running; reaps it if it has exited.
  bool running();

  // The wait status once the child has been reaped (see waitpid(2)), otherwise nullopt.
  std::optional<int> wait_status() const { return status_; }

  // Sends SIGTERM, waits up to `grace` for the child to exit, then SIGKILLs its process group
  // and reaps it; stops the watchdog. Idempotent; returns at once if the child is already gone.
  void terminate(std::chrono::milliseconds grace = std::chrono::seconds(5));

  // What the child has written to its log file so far (stdout and stderr).
  std::string log() const;

 private:
  void start_watchdog();
  void stop_watchdog();

  pid_t pid_ = -1;
  pid_t watchdog_pid_ = -1;
  int watchdog_pipe_ = -1;  // write end; when it closes, even by our death, the watchdog fires
  std::optional<int> status_;
  std::filesystem::path log_file_;
};

}  // namespace proxywatch::testing
