// The inotify plumbing behind ProxyFileWatcher: one inotify descriptor read by a coroutine, a
// table of watched directories and the entry names that matter in each, and a second coroutine
// that turns a burst of events into one callback once the directory has gone quiet.
#include "config/proxy_file_watcher.h"

#include <limits.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <exception>
#include <filesystem>
#include <map>
#include <set>
#include <string_view>
#include <system_error>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/error.h"

namespace proxywatch::config {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Every way an entry of a watched directory can change, and the directory itself going away.
// IN_ONLYDIR: the parent of the path must be a directory. Opens and reads are left out, so that
// the daemon reloading the file does not wake the watcher again.
constexpr std::uint32_t kWatchMask = IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_TO | IN_MOVED_FROM |
                                     IN_CREATE | IN_DELETE | IN_ATTRIB | IN_DELETE_SELF |
                                     IN_MOVE_SELF | IN_ONLYDIR;

// Linux follows at most 40 symlinks in a path (MAXSYMLINKS); a longer chain is a loop.
constexpr int kMaxSymlinkHops = 40;

// A burst that never goes quiet still calls back after this many debounce periods.
constexpr int kMaxDebouncePeriods = 10;

// Room for 32 events with the longest names. The kernel returns only whole events, and fails
// a read whose buffer cannot hold the next one, so one full-length event must always fit.
constexpr std::size_t kReadBufferSize = 32 * (sizeof(inotify_event) + NAME_MAX + 1);

// Watch descriptor -> the entry names in that directory that lead to the file.
using WatchTable = std::map<int, std::set<std::string, std::less<>>>;

// One directory entry on the way to the file: the path itself, then each symlink target.
struct ChainLink {
  std::string directory;
  std::string name;  // empty when the path ends in '/' (a directory, nothing to watch)
};

ChainLink split(const fs::path& path) {
  fs::path directory = path.parent_path();
  return {directory.empty() ? std::string(".") : directory.string(), path.filename().string()};
}

// The path and every symlink it leads through, resolved now. Relative link targets are taken
// relative to the link's directory, as the kernel does. Stops at a non-link, at an entry that
// does not exist (it may be created later) and at a loop.
std::vector<ChainLink> resolve_chain(const std::string& path) {
  std::vector<ChainLink> chain;
  fs::path current = path;
  for (int hop = 0; hop <= kMaxSymlinkHops; ++hop) {
    ChainLink link = split(current);
    if (link.name.empty()) break;
    chain.push_back(link);
    std::error_code error;
    if (!fs::is_symlink(fs::symlink_status(current, error))) break;
    fs::path target = fs::read_symlink(current, error);
    if (error) break;
    current = target.is_absolute() ? target : fs::path(link.directory) / target;
  }
  return chain;
}

std::string watch_error(const std::string& directory, int error) {
  std::string out = "cannot watch directory " + directory + ": ";
  if (error == ENOSPC) return out + "inotify watch limit reached (fs.inotify.max_user_watches)";
  return out + errno_text(error);
}

std::string init_error(int error) {
  if (error == EMFILE) {
    return "inotify_init1: inotify instance limit reached (fs.inotify.max_user_instances)";
  }
  return "inotify_init1: " + errno_text(error);
}

// Calls visit(event, name) for each event in `size` bytes that one read() returned. Each
// event is a header followed by `len` bytes of name, NUL-padded so that the next header is
// aligned; the header is copied out rather than cast, so nothing relies on that alignment.
template <class Visit>
void for_each_event(const char* data, std::size_t size, Visit visit) {
  std::size_t offset = 0;
  while (size - offset >= sizeof(inotify_event)) {
    inotify_event event;
    std::memcpy(&event, data + offset, sizeof event);
    const std::size_t next = offset + sizeof event + event.len;
    if (next > size) break;  // truncated: the kernel never does this, so stop rather than guess
    const char* name = data + offset + sizeof event;
    visit(event, std::string_view(name, ::strnlen(name, event.len)));
    offset = next;
  }
}

void rethrow(std::exception_ptr error) {
  if (error) std::rethrow_exception(error);
}

}  // namespace

struct ProxyFileWatcher::State : std::enable_shared_from_this<State> {
  State(const asio::any_io_executor& executor, Callback callback, std::string watched_path,
        std::chrono::milliseconds quiet)
      : stream(executor),
        timer(executor),
        on_change(std::move(callback)),
        path(std::move(watched_path)),
        debounce(quiet) {}

  // Watches the directories of the current symlink chain, dropping those no longer on it.
  void rewatch() {
    WatchTable next;
    for (const ChainLink& link : resolve_chain(path)) {
      int wd = ::inotify_add_watch(stream.native_handle(), link.directory.c_str(), kWatchMask);
      if (wd >= 0) next[wd].insert(link.name);
    }
    for (const auto& entry : watches) {
      if (!next.contains(entry.first)) ::inotify_rm_watch(stream.native_handle(), entry.first);
    }
    watches = std::move(next);
  }

  // Whether `event` may concern the file.
  bool is_relevant(const inotify_event& event, std::string_view name) const {
    if (event.mask & IN_Q_OVERFLOW) return true;  // events were lost: assume the worst
    auto it = watches.find(event.wd);
    if (it == watches.end()) return false;  // a watch already dropped (its IN_IGNORED)
    // No name: the directory itself was deleted, moved or chmod-ed (it may hide the file now).
    return name.empty() || it->second.contains(name);
  }

  // Records a relevant event; the first of a burst starts the debounce.
  void note_change() {
    last_event = Clock::now();
    if (debouncing) return;
    debouncing = true;
    first_event = last_event;
    asio::co_spawn(timer.get_executor(), debounce_then_call(shared_from_this()), rethrow);
  }

  static asio::awaitable<void> read_events(std::shared_ptr<State> self) {
    while (!self->stopped) {
      auto [error, size] = co_await self->stream.async_read_some(
          asio::buffer(self->buffer), asio::as_tuple(asio::use_awaitable));
      // operation_aborted after stop(); anything else means the descriptor is unusable, and
      // retrying would spin.
      if (self->stopped || error) co_return;
      bool changed = false;
      for_each_event(self->buffer.data(), size, [&](const inotify_event& event, auto name) {
        changed = self->is_relevant(event, name) || changed;
      });
      if (!changed) continue;
      // A renamed-over or retargeted symlink may lead somewhere else now.
      self->rewatch();
      self->note_change();
    }
  }

  // Waits until no event has arrived for `debounce` (or the burst has lasted too long).
  static asio::awaitable<void> debounce_then_call(std::shared_ptr<State> self) {
    for (;;) {
      auto due = std::min(self->last_event + self->debounce,
                          self->first_event + kMaxDebouncePeriods * self->debounce);
      if (Clock::now() >= due) break;
      // New events only move last_event; the loop picks the new deadline up when this fires.
      self->timer.expires_at(due);
      co_await self->timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (self->stopped) co_return;
    }
    self->debouncing = false;
    self->on_change();
  }

  asio::posix::stream_descriptor stream;  // the inotify descriptor
  asio::steady_timer timer;
  Callback on_change;
  std::string path;
  std::chrono::milliseconds debounce;
  WatchTable watches;
  bool stopped = false;
  bool debouncing = false;
  Clock::time_point first_event;
  Clock::time_point last_event;
  alignas(inotify_event) std::array<char, kReadBufferSize> buffer;
};

ProxyFileWatcher::ProxyFileWatcher(asio::any_io_executor executor, Callback on_change,
                                   std::string path, std::chrono::milliseconds debounce)
    : executor_(std::move(executor)),
      on_change_(std::move(on_change)),
      path_(std::move(path)),
      debounce_(debounce) {}

ProxyFileWatcher::~ProxyFileWatcher() {
  stop();
}

Result<void> ProxyFileWatcher::start() {
  if (state_) return error_text("already watching " + path_);
  const ChainLink own = split(path_);
  if (own.name.empty()) return error_text(path_ + " names a directory, not a file");
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return error_text(init_error(errno));
  auto state = std::make_shared<State>(executor_, on_change_, path_, debounce_);
  boost::system::error_code error;
  state->stream.assign(fd, error);
  if (error) {
    ::close(fd);
    return error_text("cannot poll the inotify descriptor: " + error.message());
  }
  // The file's own directory is the one watch that must work; rewatch() skips failures.
  if (::inotify_add_watch(fd, own.directory.c_str(), kWatchMask) < 0) {
    return error_text(watch_error(own.directory, errno));
  }
  state->rewatch();
  state_ = state;
  asio::co_spawn(executor_, State::read_events(std::move(state)), rethrow);
  return {};
}

void ProxyFileWatcher::stop() {
  if (!state_) return;
  state_->stopped = true;
  state_->timer.cancel();
  boost::system::error_code ignored;
  state_->stream.close(ignored);  // the kernel drops the watches with the descriptor
  state_.reset();
}

}  // namespace proxywatch::config
