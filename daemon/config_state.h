// What the daemon runs on and how each of its files is reloaded (DESIGN.md, "Configuration"):
// the YAML file with the credentials, read at start and on SIGHUP; the web configuration it
// names, read at start, on SIGHUP and when it or a file it names changes
// (web_config_reload.h); and the FMC proxy file, read at start and on every change inotify
// reports. A file
// that does not load changes nothing: the last good settings stay, the rejection is logged with
// its position and shown in proxywatch_config_valid. Not thread-safe: the io_context thread only.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "common/error.h"
#include "common/output/metrics/metrics.h"
#include "common/output/web/http_server.h"
#include "config/plan.h"
#include "daemon/config_overrides.h"
#include "daemon/web_config_reload.h"

namespace proxywatch {

// The YAML file and what it names, read together so a reload applies all of it or nothing.
struct YamlState {
  config::DaemonConfig config;
  std::optional<config::LoadedCredentials> credentials;  // from credentials_file or systemd
};

// Applies the YAML's log_level to spdlog.
void set_log_level(config::LogLevel level);

class ConfigState {
 public:
  // `path`: the YAML file; `path_explicit`: given with --config, so its absence is an error.
  // `executor`: the io_context thread's, where the web configuration's reloads (which happen on
  // the listener's thread) are counted in `metrics`. `overrides` (the command line's) are laid
  // over the file at every read.
  ConfigState(Metrics& metrics, std::string path, bool path_explicit,
              boost::asio::any_io_executor executor, ConfigOverrides overrides = {});

  // Start-up: reads the YAML, the credentials and the web configuration. An error names the
  // file and what is wrong; the daemon does not start.
  Result<void> load();

  // SIGHUP: reads the YAML, with the command line's overrides over it, and the credentials
  // (re-read on every reload, so a changed password takes effect with `systemctl reload`)
  // without applying them.
  Result<YamlState> read_yaml() const;
  // Counts a reload of the YAML as applied or rejected (metrics; a rejection is logged with
  // `problem`, keeping the running configuration).
  void record_yaml(const Result<void>& outcome);
  // Applies what read_yaml() gave. Returns true when the proxy file moved, which the caller
  // must read and watch anew.
  bool adopt(YamlState next);
  // SIGHUP, after adopt(): re-reads the web configuration the YAML names now (a rejection keeps
  // the last good one; web_config_reload.h).
  void reload_web_config();

  // Reads the proxy file. True when it loaded (absent counts: the proxy is then disabled);
  // false when it did not parse, which is logged and the last good settings kept.
  bool load_proxy_file();

  // The plan the configuration makes now.
  config::Plan plan() const;

  const config::DaemonConfig& config() const { return yaml_.config; }
  const HttpSecurity& web_security() const { return web_security_; }
  const std::string& proxy_file() const { return yaml_.config.proxy_file; }
  // False while the proxy file on disk is rejected (the last good settings are in use).
  bool proxy_file_valid() const { return proxy_file_valid_; }

 private:
  Metrics& metrics_;
  std::string path_;
  bool path_explicit_;
  ConfigOverrides overrides_;
  YamlState yaml_;
  boost::asio::any_io_executor executor_;
  std::shared_ptr<WebConfigReload> web_;            // web_config_file, from load() on
  HttpSecurity web_security_;                       // web_'s, for the listener
  std::optional<config::ProxyFileSettings> proxy_;  // last good; nullopt = disabled
  bool proxy_file_valid_ = true;
};

}  // namespace proxywatch
