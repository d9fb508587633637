// The web configuration's reload: digests of the files, the load that keeps the last good
// credentials, and its journal events (kConfigRejected, kConfigApplied: the same as the YAML's
// and the proxy file's).
#include "daemon/web_config_reload.h"

#include <cerrno>
#include <cstdio>
#include <memory>
#include <utility>

#include <openssl/evp.h>

#include "common/output/log/log.h"
#include "config/web_config.h"
#include "daemon/web_security.h"

namespace proxywatch {
namespace {

using ReloadClock = std::chrono::steady_clock;
using ReloadStamp = WebConfigReload::Stamp;

// Files larger than this are not web configurations, certificates or keys: not read whole.
constexpr std::size_t kMaxStampedBytes = 4 << 20;

struct ReloadFileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

// What `path` holds now: its SHA-256, or the errno that kept it from being read.
ReloadStamp file_stamp(const std::string& path) {
  ReloadStamp result{.path = path};
  std::unique_ptr<std::FILE, ReloadFileCloser> file(std::fopen(path.c_str(), "rbe"));
  if (!file) {
    result.error = errno;
    return result;
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> digest(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(digest.get(), EVP_sha256(), nullptr);
  char buffer[16 * 1024];
  std::size_t total = 0;
  while (std::size_t n = std::fread(buffer, 1, sizeof(buffer), file.get())) {
    EVP_DigestUpdate(digest.get(), buffer, n);
    total += n;
    if (total > kMaxStampedBytes) break;
  }
  if (std::ferror(file.get())) result.error = EIO;
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(digest.get(), out, &size);
  result.digest.assign(reinterpret_cast<const char*>(out), size);
  return result;
}

std::string tls_switch_message(const std::string& path, bool tls) {
  return path + ": " +
         (tls ? "tls_server_config was removed, but the listener speaks TLS until proxywatch is "
                "restarted (systemctl restart proxywatch)"
              : "tls_server_config was added, but the listener speaks plain HTTP until proxywatch "
                "is restarted (systemctl restart proxywatch)");
}

}  // namespace

WebConfigReload::WebConfigReload(std::optional<std::string> path, OnLoad on_load,
                                 std::chrono::milliseconds check_interval)
    : path_(std::move(path)), on_load_(std::move(on_load)), check_interval_(check_interval) {}

Result<std::shared_ptr<WebConfigReload>> WebConfigReload::start(
    std::optional<std::string> path, OnLoad on_load, std::chrono::milliseconds check_interval) {
  auto reload =
      std::make_shared<WebConfigReload>(std::move(path), std::move(on_load), check_interval);
  std::lock_guard lock(reload->mutex_);
  if (auto loaded = reload->load_locked(); !loaded) return loaded.error();
  reload->started_ = true;
  reload->checked_ = ReloadClock::now();
  return reload;
}

HttpSecurity WebConfigReload::security() {
  HttpCredentials now = current();
  HttpSecurity security;
  security.tls = now.tls;
  security.users = now.users;
  security.credentials = [self = shared_from_this()] { return self->current(); };
  return security;
}

HttpCredentials WebConfigReload::current() {
  std::lock_guard lock(mutex_);
  const ReloadClock::time_point now = ReloadClock::now();
  if (path_ && now - checked_ >= check_interval_) {
    checked_ = now;
    if (changed_locked()) record_locked(load_locked());
  }
  return current_;
}

void WebConfigReload::reload(std::optional<std::string> path) {
  std::lock_guard lock(mutex_);
  path_ = std::move(path);
  checked_ = ReloadClock::now();
  record_locked(load_locked());
}

bool WebConfigReload::valid() const {
  std::lock_guard lock(mutex_);
  return valid_;
}

bool WebConfigReload::changed_locked() const {
  for (const ReloadStamp& before : stamps_) {
    if (!(file_stamp(before.path) == before)) return true;
  }
  return false;
}

// Each file is stamped before it is read: one that changes in between is read again at the
// next check.
Result<void> WebConfigReload::load_locked() {
  stamps_.clear();
  if (!path_) {
    if (started_ && tls_) {
      return error_text(
          "web_config_file was removed, but the listener speaks TLS until "
          "proxywatch is restarted (systemctl restart proxywatch)");
    }
    current_ = {};
    users_.clear();
    summary_ = "no web configuration: plain HTTP without authentication";
    return {};
  }
  stamps_.push_back(file_stamp(*path_));
  auto web = config::load_web_config(*path_);
  if (!web) return error_text(web.error().to_string());
  for (const std::string* file : {&web->cert_file, &web->key_file, &web->client_ca_file}) {
    if (!file->empty()) stamps_.push_back(file_stamp(*file));
  }
  auto security = make_web_security(*web);
  if (!security) return security.error();
  if (started_ && bool(security->tls) != tls_) return error_text(tls_switch_message(*path_, tls_));
  if (!started_) tls_ = bool(security->tls);
  current_.tls = security->tls;
  // The same users keep their BasicAuth, and with it the passwords already accepted.
  if (!started_ || web->basic_auth_users != users_) {
    current_.users = security->users;
    users_ = web->basic_auth_users;
  }
  summary_ = *path_ + ": " + describe_web_config(*web);
  return {};
}

void WebConfigReload::record_locked(const Result<void>& outcome) {
  const bool was_valid = valid_;
  valid_ = bool(outcome);
  if (on_load_) on_load_(valid_);
  if (!outcome) {
    log_event(Event{.id = message_ids::kConfigRejected,
                    .priority = Priority::kError,
                    .message = "web configuration rejected, keeping the last good one: " +
                               outcome.error().to_string()});
    return;
  }
  log_event(Event{.id = message_ids::kConfigApplied,
                  .priority = was_valid ? Priority::kInfo : Priority::kNotice,
                  .message = "web configuration applied: " + summary_});
}

}  // namespace proxywatch
