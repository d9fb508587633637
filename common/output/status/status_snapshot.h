// The status snapshot: what the daemon knows about its proxy and each target at one moment, as
// plain data, for the operator's three views of it — the HTML page at `/` (status_page.h),
// `/status.json` (status_json.h) and `proxywatch status` (status_text.h, from the JSON). Built
// from the tracker's PairHistory: health, its age, diagnoses and the probes of the window are
// the history stage's, copied, never judged again. The one thing computed here is for the
// latency chart: the median and spread of recent probes (smoke_points), a presentation of the
// window, not a verdict.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/health.h"
#include "common/history/pair_history.h"
#include "common/local_errors.h"
#include "common/service.h"

namespace proxywatch {

// Probes per smoke group: each chart point summarizes the probe it is drawn at and the ones
// before it, up to this many (SmokePing's "pings per step", over consecutive probes).
inline constexpr std::size_t kSmokeGroup = 5;
// Probes drawn as timeline bars on the page and listed by `proxywatch status`, newest last.
inline constexpr std::size_t kTimelineProbes = 10;

// One point of the SmokePing-style chart: the total durations of the group's passing probes.
struct SmokePoint {
  WallTime at{};                // the newest probe of the group
  std::uint32_t probes = 0;     // in the group
  std::uint32_t failed = 0;     // of them, not ok
  std::optional<double> low{};  // 10th percentile, seconds; empty when none passed
  std::optional<double> median{};
  std::optional<double> high{};  // 90th percentile
  friend bool operator==(const SmokePoint&, const SmokePoint&) = default;
};

struct TargetDiagnosis {
  Diagnosis diagnosis = Diagnosis::kFlapping;
  WallTime since{};
  Evidence evidence{};
  friend bool operator==(const TargetDiagnosis&, const TargetDiagnosis&) = default;
};

// The newest capture the daemon kept of a target's probes (docs/capture.md, "In the daemon"), as
// the daemon read it: plain strings, so this stage never reads packets.
struct CaptureLink {
  std::string file{};  // its name in state_dir/captures; served at /captures/NAME
  WallTime at{};
  std::string outcome{};   // the probe's, or mtu_inbound / mtu_outbound
  std::string reading{};   // the packet reading in one sentence
  std::string timeline{};  // one line per packet, then the reading
  friend bool operator==(const CaptureLink&, const CaptureLink&) = default;
};

// The path the listener serves capture `file` at.
std::string capture_href(std::string_view file);

struct TargetStatus {
  std::string name{};                  // the YAML's target name (a metric label)
  std::string destination{};           // "host:port" as CONNECT names it, or an http:// URL
  Service service = Service::kCustom;  // the FMC feature it stands for
  bool expect_denied = false;
  HealthState health = HealthState::kUnknown;
  std::optional<WallTime> health_since{};
  std::uint32_t consecutive_failures = 0;
  // The verdict is unsettled and confirmation probes follow within seconds
  // (verdict_unsettled, common/history/health_rules.h); false when they are off.
  bool confirming = false;
  std::vector<TargetDiagnosis> diagnoses{};
  std::vector<Sample> probes{};  // the window, oldest first
  std::string last_diagnosis{};  // the newest probe's sentence
  std::optional<MtuVerdict> last_mtu{};
  std::vector<SmokePoint> smoke{};       // one per probe of the window
  std::optional<CaptureLink> capture{};  // capture: enabled and a capture was kept
  friend bool operator==(const TargetStatus&, const TargetStatus&) = default;
};

struct StatusSnapshot {
  std::string version{};  // proxywatch's
  WallTime generated{};
  std::string proxy{};  // "host:port" from the proxy file; empty when the proxy is disabled
  std::string proxy_file{};
  bool proxy_file_valid = true;  // false: the file did not parse and the last good one is used
  std::optional<WallTime> proxy_file_changed{};  // its modification time, when it exists
  std::vector<TargetStatus> targets{};
  // Probes that ended local_error since the start, by reason (kAllLocalReasons order): the
  // daemon's own descriptors or memory ran out (common/local_errors.h).
  std::array<std::uint64_t, kAllLocalReasons.size()> local_errors{};
  friend bool operator==(const StatusSnapshot&, const StatusSnapshot&) = default;

  // All local errors, whatever the reason.
  std::uint64_t local_error_total() const;

  // True when there is a proxy and every target is healthy.
  bool all_healthy() const;
};

// The status of target `name` from its history (nullptr: no probe yet, health unknown).
TargetStatus target_status(std::string name, std::string destination, Service service,
                           bool expect_denied, const PairHistory* history);

// What one FMC feature's targets say together: the worst health among them (failing, degraded,
// unknown, healthy in that order) and, when that is failing or degraded, the first target in
// that state.
struct ServiceStatus {
  Service service = Service::kCustom;
  HealthState health = HealthState::kUnknown;
  const TargetStatus* worst = nullptr;  // points into the snapshot; nullptr unless at risk
  std::size_t targets = 0;
};

// One ServiceStatus per service that has targets, in kAllServices order.
std::vector<ServiceStatus> service_statuses(const StatusSnapshot& snapshot);

// The feature at risk in the operator's words: "Security Intelligence feed downloads: failing
// — proxy_denied on http://feeds.example.com/si.txt", "Smart Licensing: healthy".
std::string service_line(const ServiceStatus& status);

// One SmokePoint per sample: the sample and up to kSmokeGroup - 1 before it.
std::vector<SmokePoint> smoke_points(const std::deque<Sample>& samples);

// `at` in UTC as "2024-05-01 12:00:00" (whole seconds).
std::string utc_time(WallTime at);
// The time from `since` to `now` for a person: "40 s", "12 min", "3 h 5 min", "2 d 4 h".
std::string age_text(WallTime since, WallTime now);

}  // namespace proxywatch
