// Loading and reloading the YAML file, the credentials, the web configuration and the proxy
// file, with their metrics and journal events.
#include "daemon/config_state.h"

#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "common/output/log/log.h"

namespace proxywatch {
namespace {

using Clock = std::chrono::system_clock;

void log_rejected(std::string message) {
  log_event(Event{.id = message_ids::kConfigRejected,
                  .priority = Priority::kError,
                  .message = std::move(message)});
}

}  // namespace

void set_log_level(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::kTrace:
      return spdlog::set_level(spdlog::level::trace);
    case config::LogLevel::kDebug:
      return spdlog::set_level(spdlog::level::debug);
    case config::LogLevel::kInfo:
      return spdlog::set_level(spdlog::level::info);
    case config::LogLevel::kWarn:
      return spdlog::set_level(spdlog::level::warn);
    case config::LogLevel::kError:
      return spdlog::set_level(spdlog::level::err);
  }
}

ConfigState::ConfigState(Metrics& metrics, std::string path, bool path_explicit,
                         boost::asio::any_io_executor executor, ConfigOverrides overrides)
    : metrics_(metrics),
      path_(std::move(path)),
      path_explicit_(path_explicit),
      overrides_(std::move(overrides)),
      executor_(std::move(executor)) {}

Result<void> ConfigState::load() {
  auto read = read_yaml();
  if (!read) return read.error();
  // Metrics are the io_context thread's; a reload on the listener's thread is counted there.
  auto counted = [&metrics = metrics_, executor = executor_](bool applied) {
    boost::asio::post(executor, [&metrics, applied] {
      metrics.record_config_load(kConfigFileWeb, applied, 0, Clock::now());
    });
  };
  auto web = WebConfigReload::start(read->config.web_config_file, std::move(counted));
  if (!web) return in_context("web_config_file: ", web.error());
  web_ = std::move(*web);
  web_security_ = web_->security();
  yaml_ = std::move(*read);
  metrics_.set_config_valid(kConfigFileYaml, true);
  metrics_.record_config_load(kConfigFileYaml, true, 0, Clock::now());
  if (yaml_.config.web_config_file) {
    metrics_.record_config_load(kConfigFileWeb, true, 0, Clock::now());
  }
  return {};
}

void ConfigState::reload_web_config() {
  if (web_) web_->reload(yaml_.config.web_config_file);
}

Result<YamlState> ConfigState::read_yaml() const {
  auto loaded = config::load_daemon_config(path_, path_explicit_);
  if (!loaded) return error_text(loaded.error().to_string());
  overrides_.apply(*loaded);
  auto credentials =
      config::load_credentials(loaded->credentials_file, config::credentials_directory_from_env());
  if (!credentials) return error_text(credentials.error().to_string());
  return YamlState{std::move(*loaded), std::move(*credentials)};
}

void ConfigState::record_yaml(const Result<void>& outcome) {
  metrics_.record_config_load(kConfigFileYaml, bool(outcome), 0, Clock::now());
  metrics_.set_config_valid(kConfigFileYaml, bool(outcome));
  if (!outcome) {
    log_rejected("configuration rejected, keeping the running one: " + outcome.error().to_string());
  }
}

bool ConfigState::adopt(YamlState next) {
  bool moved = next.config.proxy_file != yaml_.config.proxy_file;
  yaml_ = std::move(next);
  return moved;
}

bool ConfigState::load_proxy_file() {
  auto loaded = config::load_proxy_file(proxy_file());
  metrics_.set_config_valid(kConfigFileProxy, bool(loaded));
  const bool was_valid = proxy_file_valid_;
  proxy_file_valid_ = bool(loaded);
  if (!loaded) {
    metrics_.record_config_load(kConfigFileProxy, false, 0, Clock::now());
    log_rejected(fmt::format("proxy file rejected, keeping {}: {}",
                             proxy_ ? "proxy " + proxy_->proxy.to_string() : "no proxy",
                             loaded.error().to_string()));
    return false;
  }
  std::size_t warnings = *loaded ? (*loaded)->warnings.size() : 0;
  metrics_.record_config_load(kConfigFileProxy, true, warnings, Clock::now());
  if (*loaded) {
    for (const auto& w : (*loaded)->warnings) spdlog::warn("{}", w.to_string());
  }
  proxy_ = *loaded;
  // The rejection was an error event; its end is one too, or the journal would say the file is
  // still broken.
  if (!was_valid) {
    log_event(Event{.id = message_ids::kConfigApplied,
                    .priority = Priority::kNotice,
                    .message = fmt::format(
                        "proxy file {} is valid again: {}", proxy_file(),
                        proxy_ ? "proxy " + proxy_->proxy.to_string() : std::string("no proxy"))});
  }
  return true;
}

config::Plan ConfigState::plan() const {
  return config::make_plan(yaml_.config, proxy_, yaml_.credentials);
}

}  // namespace proxywatch
