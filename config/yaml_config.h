// The daemon's own YAML file: targets, intervals, per-phase deadlines, listen address, paths.
// Every key is optional with the default documented below, so an FMC with no YAML at all runs
// on default_config(). Key names may grow, never change. Unknown keys, wrong types and values
// out of range are errors naming the key path, line and column.
//
//   proxy_file: /etc/sf/iprep_proxy.conf  # FMC's proxy file
//   metrics_listen: 127.0.0.1:39555       # Prometheus endpoint, loopback only by default
//   metrics_allowed_hosts: [fmc.example.com]  # Host names answered besides its own addresses
//   web_config_file: /etc/proxywatch/web.yml  # optional: TLS and basic auth (web_config.h)
//   interval: 60s                         # probe interval of every target (at most 24h)
//   jitter: 5s                            # spread of probe start times; < every interval;
//                                         # default: a tenth of the shortest interval, <= 5s
//   timeouts: {dns: 5s, tcp_connect: 5s, proxy_connect: 10s, tls_handshake: 10s,
//              http_first_byte: 10s, transfer: 60s, stall: 10s}   # each at most 1h
//   state_dir: /var/lib/proxywatch
//   credentials_file: /etc/proxywatch/credentials  # optional, no default
//   log_level: info                       # trace | debug | info | warn | error
//   max_concurrent_probes: 64             # 1-10000
//   refuse_basic_auth: false              # true: never send the password in clear; a proxy
//                                         # offering only Basic is proxy_auth_insecure
//   services: [licensing, security_intelligence, updates]  # the FMC's services probed
//                                         # (fmc_services.h; also amp, amp_eu, amp_apjc). Default:
//                                         # these three when `targets:` is absent, none when it
//                                         # is written; written, they come before `targets:`
//   targets:                              # default: none (the services above)
//     - name: tools                       # default HOST:PORT; [A-Za-z0-9_.:-], unique
//       host: tools.cisco.com             # host or url is required
//       port: 443
//       url: http://feeds.example.com/si.txt  # instead of host/port: http:// is a plain-HTTP
//                                         # request the proxy forwards, https://HOST[:PORT] a
//                                         # tunnel (target_url.h)
//       method: GET                       # url: http:// only; HEAD or GET
//       service: security_intelligence    # the FMC feature it stands for; default custom
//       ca_file: ""                       # empty: the system trust store (https only)
//       request: HEAD /                   # https only: or GET /path; default: no request
//       max_bytes: 1048576
//       interval: 60s                     # default: the global interval
//       timeouts: {tls_handshake: 20s}    # per key; the rest come from the global timeouts
//       expect: ok                        # ok | denied (the proxy's ACL must refuse it)
//       http_error_fails: true
//       expect_issuer: ""                 # https only. Pin: the origin certificate's issuer
//                                         # must equal or contain this ("CN=IdenTrust"); "": none
//   mtu_probe: {enabled: true, interval: 1h}  # MTU comparison per target (not expect: denied);
//                                             # interval at most 7d
//   health:                               # windows and thresholds (docs/diagnoses.md)
//     window_probes: 20                   # the window: at most this many probes (2-10000)
//     window_duration: 1h                 #   none older than this (1s-30d)
//     min_samples: 5                      # ratios are judged on at least this many probes
//     failing_after: 3                    # failures in a row: failing
//     recover_after: 2                    # passes in a row end failing; clear persistent
//                                         #   diagnoses
//     degraded_percent: 20                # failed share of the window: degraded (1-100)
//     persistent_after: 3                 # acl_block, auth_misconfigured, proxy_unreachable
//     overload_percent: 30                # 503s and stalls in the window: proxy_overloaded
//     flapping_changes: 4                 # pass/fail changes in the window: flapping
//     transfer_cut_after: 3               # cut transfers: inspection_interference
//   history:                              # how long state_dir/history.db keeps what (read
//     max_age: 90d                        #   at start; docs/history.md): passing probes
//     failure_max_age: 365d               # failed probes, MTU verdicts, ended intervals
//     max_size_mib: 200                   # the database's pages in use (1-1048576)
//   capture:                              # packets of failing probes (read at start;
//     enabled: false                      #   docs/capture.md; needs CAP_NET_RAW)
//     max_files: 20                       # pcap files kept in state_dir/captures (1-10000)
//     max_size_mib: 50                    # their total size (1-1048576)
//     max_age: 7d                         # none older than this (1h-3650d)
//   metrics:                              # per-target series (docs/metrics.md, "Series sets")
//     series: lean                        # lean (at most 40 a target) | full (every outcome
//                                         #   counter at 0, stalls by phase, throughput)
//     histograms: false                   # true: a latency histogram per phase, its buckets
//                                         #   ending at the phase's deadline
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/system/result.hpp>

#include "common/health.h"
#include "common/metric_options.h"
#include "common/probe_spec.h"
#include "common/service.h"
#include "config/config_error.h"
#include "config/iprep_proxy_conf.h"

namespace proxywatch::config {

// The daemon's log threshold (spdlog levels of the same names).
enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError };

// "trace", "debug", "info", "warn", "error": the names the YAML file uses.
std::string_view to_string(LogLevel level);

// The metrics port. Prometheus' "Default port allocations" wiki page gives 9555 to another
// exporter, and its 9100-9999 range has been fully allocated since 2023 (new entries continue
// above 10000). 39555 lies outside the list's range, as Prometheus' "Writing exporters" guide
// recommends for exporters of internal applications, and is in no IANA assignment
// (/etc/services). docs/fleet.md says the same; register it on the wiki before a public release.
inline constexpr std::uint16_t kDefaultMetricsPort = 39555;
// Where the daemon and config-check read the YAML file when no --config names one.
inline constexpr std::string_view kDefaultConfigFile = "/etc/proxywatch/proxywatch.yaml";
// DaemonConfig::source of the built-in defaults (no YAML file was read).
inline constexpr std::string_view kBuiltInDefaults = "<defaults>";

// One destination probed through the proxy. Defaults taken from the global keys are already
// applied: `interval` and `timeouts` are the values to use.
struct TargetConfig {
  std::string name;  // metric label value
  // What one probe of this target does: scheme and target (host without brackets, port default
  // 443, or 80 for an http:// URL), ca_file (empty: the system trust store), request (for an
  // http:// URL its method and path), max_bytes, timeouts, expect_denied (`expect: denied`),
  // http_error_fails and the user agent. The proxy and the credentials are left empty: the Plan
  // adds them.
  ProbeSpec spec;
  Service service = Service::kCustom;  // the FMC feature it stands for
  Millis interval{60'000};
  std::string expect_issuer;  // empty: no pin
  friend bool operator==(const TargetConfig&, const TargetConfig&) = default;
};

// The differential MTU probes (DESIGN.md, mtu_suspected), run by the daemon's scheduler.
struct MtuProbeConfig {
  bool enabled = true;
  Millis interval{3'600'000};
  friend bool operator==(const MtuProbeConfig&, const MtuProbeConfig&) = default;
};

// Confirmation probes (`confirm:` in the YAML; docs/outcomes.md, "Confirmation probes"): while
// a pair's verdict is unsettled (a failure not yet making it failing, or a failing pair's first
// pass), its next probe comes delays[0] after the last one, then delays[1] after that, and so
// on, instead of an interval later; at most delays.size() of them between two regular probes.
// Empty: off.
struct ConfirmConfig {
  std::vector<Millis> delays{Millis{5'000}, Millis{10'000}, Millis{20'000}};
  friend bool operator==(const ConfirmConfig&, const ConfirmConfig&) = default;
};
inline constexpr std::size_t kMaxConfirmations = 5;
inline constexpr Millis kMinConfirmDelay{100};
inline constexpr Millis kMaxConfirmDelay{600'000};

// How long the probe history (state_dir/history.db) keeps what: `history:` in the YAML, read at
// start (docs/history.md). failure_max_age is at least max_age.
struct HistoryConfig {
  Millis max_age{90LL * 86'400'000};
  Millis failure_max_age{365LL * 86'400'000};
  std::uint64_t max_size_mib = 200;
  friend bool operator==(const HistoryConfig&, const HistoryConfig&) = default;
};

// Keeping the packets of failing probes (docs/capture.md): `capture:` in the YAML, read at start.
// Off by default: capturing needs CAP_NET_RAW. The files under state_dir/captures are pruned to
// the newest max_files, max_size_mib and max_age.
struct CaptureConfig {
  bool enabled = false;
  std::uint32_t max_files = 20;
  std::uint64_t max_size_mib = 50;
  Millis max_age{7LL * 86'400'000};
  friend bool operator==(const CaptureConfig&, const CaptureConfig&) = default;
};

// Upper bounds of durations: longer values are typos, and near 2^63 ms they overflow
// steady_clock. Values above them are errors naming the bound.
inline constexpr Millis kMaxInterval{24LL * 3'600'000};
inline constexpr Millis kMaxTimeout{3'600'000};
inline constexpr Millis kMaxJitter{3'600'000};
inline constexpr Millis kMaxMtuInterval{7LL * 24 * 3'600'000};
inline constexpr Millis kMaxWindowDuration{30LL * 24 * 3'600'000};
// The most targets one daemon probes (services and `targets:` together): the largest scale
// docs/benchmarks.md measures. An FMC reaches a handful of destinations; more than this is a
// generated file gone wrong (60,000 fit in a 1 MiB YAML), and each costs a probe loop, metric
// series and a block on the status page.
inline constexpr std::size_t kMaxTargets = 10'000;

// The jitter when the file writes none, or a tenth of the shortest interval if that is less
// (a default must never make `interval: 1s` invalid).
inline constexpr Millis kDefaultJitter{5'000};

// The whole YAML file. A value-initialised DaemonConfig has every default except `targets`,
// which is empty: use default_config() for the configuration of "no YAML file".
struct DaemonConfig {
  std::string source{kBuiltInDefaults};  // the file it was read from, for messages
  std::string proxy_file{kDefaultProxyFile};
  HostPort metrics_listen{"127.0.0.1", kDefaultMetricsPort};
  // Host names (or addresses) the listener answers for besides its own addresses and
  // "localhost": Host header values other than these get 421 (HostAllowList, against DNS
  // rebinding). "*" turns the check off.
  std::vector<std::string> metrics_allowed_hosts;
  std::optional<std::string> web_config_file;
  Millis interval{60'000};
  Millis jitter{5'000};
  PhaseTimeouts timeouts;
  std::string state_dir = "/var/lib/proxywatch";
  std::optional<std::string> credentials_file;
  LogLevel log_level = LogLevel::kInfo;
  std::uint32_t max_concurrent_probes = 64;
  bool refuse_basic_auth = false;  // never answer a Basic-only proxy (proxy_auth_insecure)
  // The groups of the FMC's service table probed (fmc_services.h), in the file's order; their
  // targets come first in `targets`.
  std::vector<std::string> service_groups;
  std::vector<TargetConfig> targets;
  MtuProbeConfig mtu_probe;
  ConfirmConfig confirm;
  HealthSettings health;
  HistoryConfig history;
  CaptureConfig capture;
  MetricOptions metrics;
  friend bool operator==(const DaemonConfig&, const DaemonConfig&) = default;
};

// All defaults, with the targets of the default service groups (kDefaultServiceGroups: Smart
// Licensing, the Security Intelligence feed, updates).
DaemonConfig default_config();

// Parses YAML text; `source_name` names it in errors. An empty document (or only comments)
// gives default_config(). Errors: YAML syntax, more than one document, unknown keys, wrong
// types, values out of range (durations above their kMax* bound), a written jitter >= an
// interval, duplicate target names, `targets: []`.
Result<DaemonConfig> parse_yaml_config(std::string_view text, std::string_view source_name);

// Reads and parses the file at `path`. The file was named explicitly, so its absence is an
// error (Kind::kNotFound), as is a file that cannot be read (Kind::kUnreadable).
Result<DaemonConfig> load_yaml_config(const std::string& path);

// The daemon's configuration: load_yaml_config(path), except that default_config() (source
// kBuiltInDefaults) stands in when `path` was not named explicitly and does not exist, since
// the daemon runs on an FMC with no YAML file at all. An explicit path must exist.
Result<DaemonConfig> load_daemon_config(const std::string& path, bool explicit_path);

}  // namespace proxywatch::config
