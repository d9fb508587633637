// ProxyFileWatcher: tells the daemon when FMC's proxy file may have changed, so that it reloads
// it at once. inotify watches the file's DIRECTORY, not the file, because the file is replaced
// rather than rewritten more often than not: editors rename a temporary file over it, FMC may
// delete and recreate it, and a deployment may swap a symlink. Watching the directory sees all
// of these, plus in-place writes and chmod. When the path is a symlink, the directory of each
// link target is watched too, and the chain is resolved again after every change. Bursts of
// events are debounced into one callback.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/result.hpp>

#include "common/error.h"
#include "config/iprep_proxy_conf.h"

namespace proxywatch::config {

// How long the directory must be quiet after an event before the callback runs.
inline constexpr std::chrono::milliseconds kDefaultWatchDebounce{100};

// Watches one file path. Not thread-safe: construct, start, stop and destroy it on the thread
// that runs the executor's io_context (or while that io_context is not running), and destroy it
// before the io_context. The callback runs on that thread.
class ProxyFileWatcher {
 public:
  // "The file may have changed; reload it." Never told what changed: it re-reads the file.
  // It must not throw (an exception propagates out of io_context::run()); it may call stop().
  using Callback = std::function<void()>;

  // Does nothing until start(). `debounce` is the quiet time awaited after the first event of
  // a burst; a burst that never goes quiet still calls back every 10 x `debounce`.
  ProxyFileWatcher(boost::asio::any_io_executor executor, Callback on_change,
                   std::string path = std::string(kDefaultProxyFile),
                   std::chrono::milliseconds debounce = kDefaultWatchDebounce);
  // Stops (see stop()).
  ~ProxyFileWatcher();
  ProxyFileWatcher(const ProxyFileWatcher&) = delete;
  ProxyFileWatcher& operator=(const ProxyFileWatcher&) = delete;

  // Starts watching. The file itself need not exist (it may be created later), but its
  // directory must: otherwise the error names the directory and why it cannot be watched.
  // Other errors: the inotify instance or watch limit (fs.inotify.max_user_*), already
  // started. Never throws for these. Directories of symlink targets that cannot be watched
  // are skipped silently; the file's own directory is what matters.
  Result<void> start();

  // Closes the inotify descriptor and drops any pending callback; idempotent. start() may be
  // called again afterwards.
  void stop();

  // The watched path, as given.
  const std::string& path() const { return path_; }

 private:
  // What the reading and debouncing coroutines share; they hold it by shared_ptr so that
  // frames resumed (or destroyed) after stop() or after the watcher is gone stay valid.
  struct State;

  boost::asio::any_io_executor executor_;
  Callback on_change_;
  std::string path_;
  std::chrono::milliseconds debounce_;
  std::shared_ptr<State> state_;
};

}  // namespace proxywatch::config
