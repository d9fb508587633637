// WebConfigReload: the web configuration file (web_config_file) kept current while the daemon
// runs, as exporter-toolkit re-reads it for every connection: a renewed certificate is used from
// the next TLS handshake and changed users from the next request, without a restart. An edit
// that cannot be used (bad YAML, a missing or unreadable certificate, key or CA file, a key that
// does not belong to the certificate) changes nothing: the last good configuration serves on,
// the rejection is logged once per change of the files and counted (proxywatch_config_valid and
// proxywatch_config_reloads_total{file="web"}, through the OnLoad callback).
//
// How a change is noticed: on the listener's thread, when a connection is accepted or a request
// asks for the users, at most once per check interval (1 s), the web configuration and the
// files it names are read and their SHA-256 compared with those of the last read; any change
// (or a file that became unreadable, or readable again) re-reads them all. Chosen over inotify
// because certificates are usually renewed elsewhere and swapped by symlink (certbot's live/ →
// archive/) or rename, in directories the daemon need not watch: reading follows the links and
// needs no watch to re-arm after a rename. Chosen over mtimes because a rewrite within the file
// system's timestamp granularity of the last check keeps size and mtime (a new certificate of
// the same length written a few milliseconds after a handshake). It costs reading four small
// files at most once a second, only while clients connect (a scrape is itself a connection, so
// the scrape after an edit reports it). SIGHUP re-reads at once, whatever changed.
//
// A listener speaks TLS or plain HTTP for its life (exporter-toolkit too decides at start, and
// fails every handshake once tls_server_config is removed): an edit that adds or removes
// tls_server_config is rejected, naming the restart it needs.
//
// Thread-safety: every member may be called from any thread (the listener's asks for the
// credentials, SIGHUP reloads on the probing thread); a mutex guards the state.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/output/web/http_server.h"

namespace proxywatch {

// How often, at most, the files are stat()ed for a change.
inline constexpr std::chrono::milliseconds kWebConfigCheckInterval{1000};

class WebConfigReload : public std::enable_shared_from_this<WebConfigReload> {
 public:
  // Told of each load after the first: applied (true) or rejected. Called on the thread that
  // loaded, with the lock held: it must not call back into this object.
  using OnLoad = std::function<void(bool applied)>;

  // Reads `path` (nullopt: plain HTTP without authentication, nothing to watch) at start-up.
  // An error names the file and the problem, as load_web_security's; the daemon does not start.
  static Result<std::shared_ptr<WebConfigReload>> start(
      std::optional<std::string> path, OnLoad on_load,
      std::chrono::milliseconds check_interval = kWebConfigCheckInterval);

  // What HttpServer is given: the credentials of now, and HttpSecurity::credentials bound to
  // current() (the hook holds this object).
  HttpSecurity security();

  // The credentials to use now, re-read first when the check interval has passed and a file
  // changed.
  HttpCredentials current();

  // SIGHUP: re-reads `path` (the YAML's web_config_file, which may have changed) whatever
  // changed on disk.
  void reload(std::optional<std::string> path);

  // Whether the files as last read are in force (false: rejected, the last good ones serve).
  bool valid() const;

  // What a file held when it was last read (see above); public for the .cc's helpers.
  struct Stamp {
    std::string path{};
    int error = 0;         // errno of reading it, 0 when it was read
    std::string digest{};  // SHA-256 of its bytes
    bool operator==(const Stamp&) const = default;
  };

  WebConfigReload(std::optional<std::string> path, OnLoad on_load,
                  std::chrono::milliseconds check_interval);

 private:
  // Reads the files; applies them or keeps the last good ones. Requires mutex_.
  Result<void> load_locked();
  // Whether any file stamped at the last read holds something else now. Requires mutex_.
  bool changed_locked() const;
  // Counts, logs and remembers the outcome of a reload. Requires mutex_.
  void record_locked(const Result<void>& outcome);

  mutable std::mutex mutex_;
  std::optional<std::string> path_;
  const OnLoad on_load_;
  const std::chrono::milliseconds check_interval_;
  bool started_ = false;  // the first load succeeded: later loads are reloads
  bool tls_ = false;      // the listener's scheme, fixed at start
  bool valid_ = true;
  HttpCredentials current_;
  std::string summary_;                       // what current_ is, for the journal
  std::map<std::string, std::string> users_;  // current_.users', to keep it (and its cache)
  std::vector<Stamp> stamps_;                 // the files at the last read
  std::chrono::steady_clock::time_point checked_{};
};

}  // namespace proxywatch
