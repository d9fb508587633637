// Collecting the support bundle's parts (`proxywatch bundle`): each collector adds its files to
// a BundleContents, or a gap saying why it could not, and never fails the bundle. Every part is
// bounded in size and time (the limits are below). Secrets are masked afterwards by the command
// (bundle_mask.h), except the configuration files, which are masked as they are read.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "config/plan.h"
#include "config/yaml_config.h"
#include "daemon/bundle_mask.h"

namespace proxywatch {

// Bounds of the parts.
inline constexpr std::size_t kBundleJournalBytes = 16 << 20;
inline constexpr std::chrono::seconds kBundleCommandTime{15};  // journalctl, ip
inline constexpr std::size_t kBundleCommandBytes = 1 << 20;    // ip's output
inline constexpr std::size_t kBundleCaptureBytes = 64 << 20;   // all captures together
inline constexpr std::size_t kBundleHistoryProbes = 200'000;   // probes read from the history
inline constexpr std::chrono::hours kBundleHistorySpan{24 * 7};
// The fresh checks: each phase at most this long (transfer and stall included), at most this
// many bytes read, all at once (one MTU comparison is three probes one after the other, so the
// part ends within 3 x 5 phases x kBundleCheckPhase however the proxy behaves), for at most
// kBundleCheckTargets targets (an FMC has a handful).
inline constexpr std::chrono::seconds kBundleCheckPhase{5};
inline constexpr std::uint64_t kBundleCheckBytes = 256 << 10;
inline constexpr std::size_t kBundleChecksAtOnce = 16;
inline constexpr std::size_t kBundleCheckTargets = 16;

// One file of the bundle.
struct BundleFile {
  std::string name;  // inside the archive, '/'-separated
  std::string content;
  std::string about;  // README.txt's line on it
};

// What the bundle holds so far.
struct BundleContents {
  std::vector<BundleFile> files;
  // Parts that could not be collected: "journal: journalctl is not installed".
  std::vector<std::string> gaps;
  // How parts were collected, for README.txt: "routes: from `ip route show table all`".
  std::vector<std::string> notes;
  std::vector<MaskEntry> masked;

  void add(std::string name, std::string content, std::string about) {
    files.push_back({std::move(name), std::move(content), std::move(about)});
  }
  void gap(const std::string& part, const std::string& why) { gaps.push_back(part + ": " + why); }
};

// What the collectors read: the YAML file as loaded, the plan it makes with the proxy file and
// the credentials.
struct BundleConfig {
  std::string yaml_path;  // as given, or the default
  config::DaemonConfig config;
  std::optional<config::Plan> plan;  // nullopt: the proxy file did not load
  // Every password the configuration holds (proxy file, credentials file or systemd
  // credential): the safety net's secrets. Never written anywhere.
  std::vector<ProxyCredentials> credentials;
};

// version.txt (proxywatch's version and build), system.txt (os-release, uname).
void collect_version_and_system(BundleContents& bundle);
// interfaces.txt (each interface: state, MTU, addresses), routes.txt (`ip` when present, else
// /proc/net/route and /proc/net/ipv6_route).
void collect_network(BundleContents& bundle);
// journal.txt: the unit's journal of the last 24 h, when journalctl is there.
void collect_journal(BundleContents& bundle);

// config/: the YAML, the proxy file and the web configuration, masked; fills `loaded` with the
// proxy file's settings and the credentials found (gaps when unreadable).
void collect_config_files(BundleContents& bundle, BundleConfig& loaded);
// daemon/status.json and daemon/metrics.txt from the running daemon, or, when it does not
// answer, daemon/state-on-disk.json from the history database.
void collect_daemon_state(BundleContents& bundle, const BundleConfig& loaded);
// history/failures-7d.txt: the history's summary of the last 7 days with every failure.
void collect_history(BundleContents& bundle, const BundleConfig& loaded);
// captures/*.pcap: the daemon's captures of failures, newest first, up to kBundleCaptureBytes.
void collect_captures(BundleContents& bundle, const BundleConfig& loaded);
// checks/<target>.txt: a fresh `check --mtu --packets` (a plain check for http:// targets and
// negative ones) of each planned target, at once, bounded by kBundleCheckPhase.
void collect_checks(BundleContents& bundle, const BundleConfig& loaded);

// The path of `program` in $PATH, or nullopt.
std::optional<std::string> find_program(const std::string& program);

// What a bounded command gave.
struct CommandOutput {
  std::string out;  // stdout and stderr, interleaved as written
  int exit_status = -1;
  bool timed_out = false;
  bool truncated = false;  // the output reached max_bytes and the command was stopped
};

// Runs `argv` (argv[0] a path) with stdin from /dev/null; stops it (SIGKILL) after `timeout` or
// once it has written `max_bytes`. Errors: it could not be started.
Result<CommandOutput> run_bounded(const std::vector<std::string>& argv,
                                  std::chrono::milliseconds timeout, std::size_t max_bytes);

}  // namespace proxywatch
