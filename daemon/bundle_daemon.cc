// The support bundle's parts about proxywatch itself: its configuration files (masked), what
// the running daemon serves — or, when it is down, the state it left on disk — the history's
// failures, and the captures it kept.
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "common/output/json/json_fields.h"
#include "common/output/status/status_json.h"
#include "config/credentials.h"
#include "config/text_file.h"
#include "daemon/bundle_collect.h"
#include "daemon/evidence_store.h"
#include "daemon/history_request.h"
#include "daemon/history_text.h"
#include "daemon/status_command.h"

namespace proxywatch {
namespace {

namespace fs = std::filesystem;

// Reads the configuration file `path` for the bundle's `name`; a gap when it cannot.
std::optional<std::string> read_config(BundleContents& bundle, const std::string& name,
                                       const std::string& path) {
  auto text = config::read_text_file(path);
  if (text) return std::move(*text);
  bundle.gap(name, config::unreadable_config(text.error()).to_string());
  return std::nullopt;
}

void add_masked(BundleContents& bundle, MaskedText masked, const std::string& name,
                const std::string& about) {
  bundle.masked.insert(bundle.masked.end(), masked.masked.begin(), masked.masked.end());
  bundle.add(name, std::move(masked.text), about);
}

// The proxy file: its masked text, its settings for the plan and its password for the net.
std::optional<config::ProxyFileSettings> collect_proxy_file(BundleContents& bundle,
                                                            BundleConfig& loaded) {
  const std::string& path = loaded.config.proxy_file;
  const std::string name = "config/iprep_proxy.conf";
  auto settings = config::load_proxy_file(path);
  if (settings && !*settings) {
    bundle.gap(name, path + " is absent: the FMC has no proxy configured");
    return std::nullopt;
  }
  if (auto text = read_config(bundle, name, path)) {
    add_masked(bundle, mask_proxy_file(*text, name), name,
               "FMC's proxy file " + path + ", secrets masked (masked.txt)");
    wipe(*text);
  }
  if (!settings) {
    bundle.gap("the proxy file's settings", settings.error().to_string());
    return std::nullopt;
  }
  if ((*settings)->user && (*settings)->password) {
    loaded.credentials.push_back({*(*settings)->user, *(*settings)->password});
  }
  return **settings;
}

std::optional<config::LoadedCredentials> collect_credentials(BundleContents& bundle,
                                                             BundleConfig& loaded) {
  auto credentials = config::load_credentials(loaded.config.credentials_file,
                                              config::credentials_directory_from_env());
  if (!credentials) {
    bundle.gap("credentials", credentials.error().to_string() +
                                  " (the checks run without them; the last check of every file "
                                  "could not look for that password)");
    return std::nullopt;
  }
  if (*credentials) {
    loaded.credentials.push_back((*credentials)->credentials);
    bundle.notes.push_back("credentials: the proxy's user name and password come from " +
                           (*credentials)->source + ", which is not in the bundle");
  }
  return *credentials;
}

// The state the daemon left in its history database, as /status.json would show it.
Result<std::string> state_on_disk(const BundleConfig& loaded, const std::string& db) {
  auto store = ProbeStore::open_read_only(db);
  if (!store) return store.error();
  WallTime now = std::chrono::system_clock::now();
  auto states = (*store)->pair_states(loaded.config.health, now);
  if (!states) return states.error();
  StatusSnapshot snapshot{.version = PROXYWATCH_VERSION, .generated = now};
  std::string proxy = loaded.plan ? loaded.plan->proxy_label() : "";
  if (loaded.plan && loaded.plan->proxy) snapshot.proxy = loaded.plan->proxy->to_string();
  snapshot.proxy_file = loaded.config.proxy_file;
  auto find = [&](const std::string& name) -> const PairHistory* {
    for (const PairState& s : *states) {
      if (s.proxy == proxy && s.target == name) return &s.history;
    }
    return nullptr;
  };
  for (const config::TargetConfig& t : loaded.config.targets) {
    snapshot.targets.push_back(
        target_status(t.name, t.spec.target_text(), t.service, t.spec.expect_denied, find(t.name)));
  }
  return serialize(to_json(snapshot)) + "\n";
}

// The captures' files, newest first.
std::vector<fs::path> capture_files(const fs::path& dir, std::error_code& ec) {
  std::vector<std::pair<fs::file_time_type, fs::path>> found;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::error_code entry_ec;
    if (!entry.is_regular_file(entry_ec) || entry.is_symlink(entry_ec)) continue;
    if (entry.path().extension() != ".pcap") continue;
    found.emplace_back(entry.last_write_time(entry_ec), entry.path());
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a > b; });
  std::vector<fs::path> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

}  // namespace

void collect_config_files(BundleContents& bundle, BundleConfig& loaded) {
  if (loaded.config.source == config::kBuiltInDefaults) {
    bundle.notes.push_back("configuration: there is no " + loaded.yaml_path +
                           ": the daemon runs on its built-in defaults");
  } else if (auto text = read_config(bundle, "config/proxywatch.yaml", loaded.yaml_path)) {
    add_masked(bundle, mask_yaml_file(*text, "config/proxywatch.yaml"), "config/proxywatch.yaml",
               "the daemon's configuration " + loaded.yaml_path + ", secrets masked");
  }
  auto proxy = collect_proxy_file(bundle, loaded);
  if (const auto& web = loaded.config.web_config_file) {
    if (auto text = read_config(bundle, "config/web-config.yml", *web)) {
      add_masked(bundle, mask_yaml_file(*text, "config/web-config.yml"), "config/web-config.yml",
                 "the listener's web configuration " + *web + ", password hashes masked");
    }
  }
  auto credentials = collect_credentials(bundle, loaded);
  loaded.plan = config::make_plan(loaded.config, proxy, credentials);
}

void collect_daemon_state(BundleContents& bundle, const BundleConfig& loaded) {
  const HostPort& listen = loaded.config.metrics_listen;
  std::string where = "http://" + listen.to_string();
  auto status = fetch_from_daemon(listen, "/status.json");
  if (status) {
    bundle.add("daemon/status.json", std::move(*status),
               "/status.json of the running daemon at " + where + " (docs/json.md)");
    auto metrics = fetch_from_daemon(listen, "/metrics");
    if (metrics) {
      bundle.add("daemon/metrics.txt", std::move(*metrics),
                 "/metrics of the running daemon (Prometheus text; docs/metrics.md)");
    } else {
      bundle.gap("daemon/metrics.txt", where + "/metrics: " + metrics.error().message);
    }
    return;
  }
  bundle.gap("daemon/status.json", "not read from the daemon at " + where + " (" +
                                       status.error().message +
                                       "): daemon/state-on-disk.json has the state on disk");
  std::string db = history_database_path(loaded.config.state_dir);
  auto state = state_on_disk(loaded, db);
  if (!state) {
    bundle.gap("daemon/state-on-disk.json", state.error().to_string());
    return;
  }
  bundle.add("daemon/state-on-disk.json", std::move(*state),
             "the daemon is down: each target's last saved state, read from " + db +
                 " in the form of /status.json");
}

void collect_history(BundleContents& bundle, const BundleConfig& loaded) {
  const std::string name = "history/failures-7d.txt";
  std::string db = history_database_path(loaded.config.state_dir);
  auto store = ProbeStore::open_read_only(db);
  if (!store) {
    bundle.gap(name, store.error().to_string());
    return;
  }
  WallTime now = std::chrono::system_clock::now();
  HistoryQuery query{.from = now - kBundleHistorySpan};
  auto report = read_history(**store, query, kBundleHistoryProbes);
  if (!report) {
    bundle.gap(name, report.error().to_string());
    return;
  }
  bundle.add(name, format_history_text(*report, db, now, true),
             "the history of the last 7 days (`proxywatch history --since 7d --failures`): per "
             "target, its probes, health and diagnoses, and every failed probe");
}

void collect_captures(BundleContents& bundle, const BundleConfig& loaded) {
  fs::path dir = captures_dir(loaded.config.state_dir);
  std::error_code ec;
  auto files = capture_files(dir, ec);
  if (ec) {
    bundle.gap("captures/", dir.string() + ": " + ec.message() +
                                " (the daemon keeps captures only with `capture:` on)");
    return;
  }
  std::size_t budget = kBundleCaptureBytes;
  std::size_t left_out = 0;
  for (const fs::path& file : files) {
    auto bytes = read_regular_file(file.string(), {.max_bytes = budget, .follow_symlinks = false});
    if (!bytes) {
      ++left_out;
      continue;
    }
    budget -= bytes->size();
    bundle.add("captures/" + file.filename().string(), std::move(*bytes),
               "a capture the daemon kept of a failed probe (pcap: tcpdump -r, Wireshark)");
  }
  if (left_out > 0) {
    bundle.gap("captures/", fmt::format("{} older or unreadable captures left out (at most {} "
                                        "MiB of captures, newest first)",
                                        left_out, kBundleCaptureBytes >> 20));
  }
  if (files.empty()) bundle.notes.push_back("captures: none in " + dir.string());
}

}  // namespace proxywatch
