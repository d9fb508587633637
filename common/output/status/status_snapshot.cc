// Copying a pair's history into the snapshot, and the chart's smoke groups.
#include "common/output/status/status_snapshot.h"

#include <algorithm>
#include <cmath>
#include <ctime>

#include <fmt/format.h>

namespace proxywatch {
namespace {

// The nearest-rank percentile `p` (0..100) of sorted, non-empty `values`.
double percentile(const std::vector<double>& sorted, double p) {
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

std::uint64_t StatusSnapshot::local_error_total() const {
  std::uint64_t total = 0;
  for (auto n : local_errors) total += n;
  return total;
}

bool StatusSnapshot::all_healthy() const {
  if (proxy.empty()) return false;
  return std::all_of(targets.begin(), targets.end(),
                     [](const TargetStatus& t) { return t.health == HealthState::kHealthy; });
}

std::string utc_time(WallTime at) {
  std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string age_text(WallTime since, WallTime now) {
  auto s = std::chrono::duration_cast<std::chrono::seconds>(now - since).count();
  s = std::max<decltype(s)>(s, 0);
  if (s < 120) return fmt::format("{} s", s);
  if (s < 7200) return fmt::format("{} min", s / 60);
  if (s < 2 * 86400) return fmt::format("{} h {} min", s / 3600, s % 3600 / 60);
  return fmt::format("{} d {} h", s / 86400, s % 86400 / 3600);
}

std::vector<SmokePoint> smoke_points(const std::deque<Sample>& samples) {
  std::vector<SmokePoint> points;
  points.reserve(samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    std::size_t first = i + 1 >= kSmokeGroup ? i + 1 - kSmokeGroup : 0;
    SmokePoint point{.at = samples[i].at};
    std::vector<double> passed;
    for (std::size_t j = first; j <= i; ++j) {
      ++point.probes;
      // A failed probe's duration is how long it took to fail, not a latency.
      if (samples[j].ok()) {
        passed.push_back(total_seconds(samples[j]));
      } else {
        ++point.failed;
      }
    }
    if (!passed.empty()) {
      std::sort(passed.begin(), passed.end());
      point.low = percentile(passed, 10);
      point.median = percentile(passed, 50);
      point.high = percentile(passed, 90);
    }
    points.push_back(point);
  }
  return points;
}

namespace {

// How bad a health state is for a feature: the higher, the worse.
int badness(HealthState health) {
  switch (health) {
    case HealthState::kHealthy:
      return 0;
    case HealthState::kUnknown:
      return 1;
    case HealthState::kDegraded:
      return 2;
    case HealthState::kFailing:
      return 3;
  }
  return 0;
}

}  // namespace

std::vector<ServiceStatus> service_statuses(const StatusSnapshot& snapshot) {
  std::vector<ServiceStatus> out;
  for (Service service : kAllServices) {
    ServiceStatus status{.service = service, .health = HealthState::kHealthy};
    for (const TargetStatus& t : snapshot.targets) {
      if (t.service != service) continue;
      ++status.targets;
      if (badness(t.health) > badness(status.health)) {
        status.health = t.health;
        bool at_risk = badness(t.health) >= badness(HealthState::kDegraded);
        status.worst = at_risk ? &t : nullptr;
      }
    }
    if (status.targets > 0) out.push_back(status);
  }
  return out;
}

std::string service_line(const ServiceStatus& status) {
  std::string line = fmt::format("{}: {}", feature_name(status.service), to_string(status.health));
  if (!status.worst) return line;
  const TargetStatus& t = *status.worst;
  std::string outcome = t.probes.empty() ? "" : std::string(to_string(t.probes.back().outcome));
  return line + fmt::format(" — {} on {}", outcome.empty() ? "no probe" : outcome, t.destination);
}

TargetStatus target_status(std::string name, std::string destination, Service service,
                           bool expect_denied, const PairHistory* history) {
  TargetStatus t{.name = std::move(name),
                 .destination = std::move(destination),
                 .service = service,
                 .expect_denied = expect_denied};
  if (!history) return t;
  t.health = history->health;
  t.health_since = history->health_since;
  t.consecutive_failures = history->consecutive_failures;
  for (const auto& [d, active] : history->active) {
    t.diagnoses.push_back(TargetDiagnosis{d, active.since, active.evidence});
  }
  const auto& samples = history->window.samples();
  t.probes.assign(samples.begin(), samples.end());
  t.last_diagnosis = history->last_diagnosis;
  t.last_mtu = history->last_mtu;
  t.smoke = smoke_points(samples);
  return t;
}

std::string capture_href(std::string_view file) {
  return "/captures/" + std::string(file);
}

}  // namespace proxywatch
