// Subprocesses: posix_spawn (glibc's clone+exec, safe in a process full of threads, and it
// reports exec failures) rather than a hand-written fork, pipes read with poll, and bounded
// waits with SIGTERM → SIGKILL escalation.
#include "tests/support/process.h"

#include "tests/support/read_file.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <utility>

extern char** environ;

namespace proxywatch::testing {
namespace {

using Clock = std::chrono::steady_clock;

// posix_spawn wants NULL-terminated arrays of char*; this keeps their strings alive.
class CStringArray {
 public:
  explicit CStringArray(std::vector<std::string> strings) : strings_(std::move(strings)) {
    for (std::string& s : strings_) pointers_.push_back(s.data());
    pointers_.push_back(nullptr);
  }
  char* const* get() const { return pointers_.data(); }

 private:
  std::vector<std::string> strings_;
  std::vector<char*> pointers_;
};

// The attributes and file actions of one posix_spawn call, destroyed on every path.
struct SpawnSetup {
  SpawnSetup() {
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawnattr_init(&attributes);
  }
  ~SpawnSetup() {
    ::posix_spawn_file_actions_destroy(&actions);
    ::posix_spawnattr_destroy(&attributes);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
};

// A pipe whose ends close themselves; O_CLOEXEC so that no other child inherits them.
struct Pipe {
  Pipe() {
    if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
      throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
    }
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  int release_write() { return std::exchange(fds[1], -1); }
  void close_read() { close_end(0); }
  void close_write() { close_end(1); }
  void close_end(std::size_t i) {
    if (fds[i] >= 0) ::close(fds[i]);
    fds[i] = -1;
  }

  std::array<int, 2> fds{-1, -1};
};

std::vector<std::string> merged_environment(const EnvAdditions& additions) {
  std::map<std::string, std::string> merged;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const auto equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    merged.emplace(text.substr(0, equals), text.substr(equals + 1));
  }
  for (const auto& [name, value] : additions) merged[name] = value;
  std::vector<std::string> result;
  for (const auto& [name, value] : merged) result.push_back(name + "=" + value);
  return result;
}

// Spawns argv with `setup`'s file actions, in a new process group, with default signal
// dispositions and an empty signal mask, and with every descriptor above 2 closed: Asio opens
// its sockets without O_CLOEXEC, and a child holding a test server's socket would keep a
// connection open after the server closed it.
pid_t spawn(const std::vector<std::string>& argv, const EnvAdditions& env, SpawnSetup& setup) {
  if (argv.empty()) throw std::runtime_error("spawn: empty argv");
  sigset_t no_signals;
  sigemptyset(&no_signals);
  sigset_t all_signals;
  sigfillset(&all_signals);
  sigdelset(&all_signals, SIGKILL);
  sigdelset(&all_signals, SIGSTOP);
  ::posix_spawnattr_setsigmask(&setup.attributes, &no_signals);
  ::posix_spawnattr_setsigdefault(&setup.attributes, &all_signals);
  ::posix_spawnattr_setpgroup(&setup.attributes, 0);
  ::posix_spawnattr_setflags(
      &setup.attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  ::posix_spawn_file_actions_addclosefrom_np(&setup.actions, 3);
  const CStringArray args(argv);
  const CStringArray envp(merged_environment(env));
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argv[0].c_str(), &setup.actions, &setup.attributes,
                                args.get(), envp.get());
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  return pid;
}

// Reaps `pid` if it exits before `deadline`; returns its wait status, or nullopt at the deadline.
std::optional<int> reap_by(pid_t pid, Clock::time_point deadline) {
  while (true) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0 && errno != EINTR) return std::nullopt;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

// Waits without bound for a child that has been sent SIGKILL, so it will exit promptly.
int reap_killed(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// Reads both pipes until both reach end of file (returns true) or `deadline` passes (false).
bool drain_pipes(int out_fd, int err_fd, ProcessResult& result, Clock::time_point deadline) {
  std::array<pollfd, 2> fds{{{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}}};
  const std::array<std::string*, 2> sinks{&result.out, &result.err};
  int open_pipes = 2;
  while (open_pipes > 0) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) throw std::runtime_error("poll failed");
    for (std::size_t i = 0; ready > 0 && i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      std::array<char, 8192> chunk;
      const ssize_t got = ::read(fds[i].fd, chunk.data(), chunk.size());
      if (got > 0) {
        sinks[i]->append(chunk.data(), static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        fds[i].fd = -1;  // poll ignores negative descriptors
        --open_pipes;
      }
    }
  }
  return true;
}

void record_status(int status, ProcessResult& result) {
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const EnvAdditions& env,
                          std::chrono::milliseconds timeout) {
  Pipe out;
  Pipe err;
  SpawnSetup setup;
  ::posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_adddup2(&setup.actions, out.fds[1], 1);
  ::posix_spawn_file_actions_adddup2(&setup.actions, err.fds[1], 2);
  const pid_t pid = spawn(argv, env, setup);
  out.close_write();
  err.close_write();

  ProcessResult result;
  const auto deadline = Clock::now() + timeout;
  std::optional<int> status;
  if (drain_pipes(out.fds[0], err.fds[0], result, deadline)) status = reap_by(pid, deadline);
  if (!status) {
    result.timed_out = true;
    ::kill(-pid, SIGKILL);
    // Something that left the process group may still hold the pipes; read for one more second.
    drain_pipes(out.fds[0], err.fds[0], result, Clock::now() + std::chrono::seconds(1));
    status = reap_killed(pid);
  }
  record_status(*status, result);
  return result;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, std::filesystem::path log_file,
                           const EnvAdditions& env)
    : log_file_(std::move(log_file)) {
  SpawnSetup setup;
  ::posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_addopen(&setup.actions, 1, log_file_.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
  ::posix_spawn_file_actions_adddup2(&setup.actions, 1, 2);
  pid_ = spawn(argv, env, setup);
  try {
    start_watchdog();
  } catch (...) {
    terminate();
    throw;
  }
}

ChildProcess::~ChildProcess() {
  terminate();
}

void ChildProcess::start_watchdog() {
  Pipe pipe;
  SpawnSetup setup;
  ::posix_spawn_file_actions_adddup2(&setup.actions, pipe.fds[0], 0);
  ::posix_spawn_file_actions_addopen(&setup.actions, 1, "/dev/null", O_WRONLY, 0);
  ::posix_spawn_file_actions_adddup2(&setup.actions, 1, 2);
  // `read` returns when the last write end closes: at stop_watchdog(), or when this process dies.
  // Its own process group keeps it out of the kill it delivers.
  watchdog_pid_ = spawn({"/bin/sh", "-c", "read -r _; kill -s KILL -- \"-$1\"",
                         "proxywatch-watchdog", std::to_string(pid_)},
                        {}, setup);
  watchdog_pipe_ = pipe.release_write();
}

void ChildProcess::stop_watchdog() {
  // Killed before the pipe closes, so it never signals a group id that may have been reused.
  if (watchdog_pid_ > 0) {
    ::kill(watchdog_pid_, SIGKILL);
    reap_killed(watchdog_pid_);
    watchdog_pid_ = -1;
  }
  if (watchdog_pipe_ >= 0) ::close(watchdog_pipe_);
  watchdog_pipe_ = -1;
}

bool ChildProcess::running() {
  if (status_) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) status_ = status;
  return !status_;
}

void ChildProcess::terminate(std::chrono::milliseconds grace) {
  stop_watchdog();
  if (!running()) return;
  ::kill(pid_, SIGTERM);
  status_ = reap_by(pid_, Clock::now() + grace);
  if (status_) return;
  // The group id is still ours while the leader is unreaped, so this cannot hit a stranger.
  ::kill(-pid_, SIGKILL);
  status_ = reap_killed(pid_);
}

std::string ChildProcess::log() const {
  return read_file_or_empty(log_file_);
}

}  // namespace proxywatch::testing
