// The status snapshot as text blocks.
#include "common/output/status/status_text.h"

#include <array>
#include <iterator>

#include <fmt/format.h>

#include "common/escape.h"
#include "common/output/status/diagnosis_advice.h"

namespace proxywatch {
namespace {

using Out = std::back_insert_iterator<std::string>;

// Column headings of the probe table, in kAllPhases order.
constexpr std::array<std::string_view, kAllPhases.size()> kColumns = {
    "dns", "tcp", "connect", "tls", "1st_byte", "transfer"};

// Untrusted text for one terminal line: no control bytes (no escape sequences).
std::string line_safe(std::string_view text) {
  return escape_control(text, 2000);
}

void write_header(Out out, const StatusSnapshot& s, const std::string& source) {
  if (s.proxy.empty()) {
    fmt::format_to(out, "proxywatch {} at {}: no proxy ({} is absent)\n", line_safe(s.version),
                   source, line_safe(s.proxy_file));
  } else {
    fmt::format_to(
        out, "proxywatch {} at {}: proxy {} from {} ({}{})\n", line_safe(s.version), source,
        line_safe(s.proxy), line_safe(s.proxy_file),
        s.proxy_file_valid ? "valid" : "INVALID, the last good proxy is probed",
        s.proxy_file_changed ? ", changed " + utc_time(*s.proxy_file_changed) + " UTC" : "");
  }
  fmt::format_to(out, "as of {} UTC\n", utc_time(s.generated));
  if (auto local = s.local_error_total()) {
    fmt::format_to(out,
                   "  {} probes could not open a socket (proxywatch's own descriptor or memory "
                   "limit; counted against no proxy)\n",
                   local);
  }
  // What the operator asks first: which FMC feature is at risk.
  for (const ServiceStatus& service : service_statuses(s)) {
    fmt::format_to(out, "  {}\n", line_safe(service_line(service)));
  }
}

void write_diagnosis(Out out, const TargetDiagnosis& d, WallTime now) {
  fmt::format_to(out, "  diagnosis {} for {}: {}\n", to_string(d.diagnosis), age_text(d.since, now),
                 line_safe(d.evidence.summary));
  const Evidence& e = d.evidence;
  std::string figures;
  auto add = [&](std::string_view name, const std::string& value) {
    if (!value.empty())
      figures += fmt::format("{}{}: {}", figures.empty() ? "" : "; ", name, value);
  };
  add("outcomes", e.outcomes);
  add("phases", e.phases);
  add("issuer", e.cert_issuer);
  add("expected issuer", e.expected_issuer);
  add("verify error", e.verify_error);
  add("MTU", e.mtu_direction.empty() ? "" : e.mtu_direction + " (" + e.mtu_detail + ")");
  if (!figures.empty()) fmt::format_to(out, "    evidence: {}\n", line_safe(figures));
  fmt::format_to(out, "    check next: {}\n", diagnosis_advice(d.diagnosis).check_next);
}

void write_probes(Out out, const TargetStatus& t) {
  std::size_t first = t.probes.size() > kTimelineProbes ? t.probes.size() - kTimelineProbes : 0;
  if (first == t.probes.size()) {
    fmt::format_to(out, "  no probe yet\n");
    return;
  }
  fmt::format_to(out, "  {:<8}  {:<22}", "probe", "outcome (ms per phase)");
  for (std::string_view c : kColumns) fmt::format_to(out, " {:>8}", c);
  fmt::format_to(out, " {:>8}\n", "total");
  for (std::size_t i = first; i < t.probes.size(); ++i) {
    const Sample& s = t.probes[i];
    fmt::format_to(out, "  {:<8}  {:<22}", utc_time(s.at).substr(11), to_string(s.outcome));
    for (const auto& d : s.phase_seconds) {
      if (d) {
        fmt::format_to(out, " {:>8.1f}", *d * 1000);
      } else {
        fmt::format_to(out, " {:>8}", "-");
      }
    }
    fmt::format_to(out, " {:>8.1f}\n", total_seconds(s) * 1000);
  }
}

void write_target_text(Out out, const TargetStatus& t, WallTime now) {
  fmt::format_to(out, "\n{} ({}{}; {}): {}", line_safe(t.name), line_safe(t.destination),
                 t.expect_denied ? ", expected denied" : "", feature_name(t.service),
                 to_string(t.health));
  if (t.health_since) fmt::format_to(out, " for {}", age_text(*t.health_since, now));
  if (t.consecutive_failures > 0)
    fmt::format_to(out, ", {} failed in a row", t.consecutive_failures);
  if (t.confirming) fmt::format_to(out, ", confirming");
  if (t.last_mtu) fmt::format_to(out, ", MTU check {}", to_string(*t.last_mtu));
  fmt::format_to(out, "\n");
  if (!t.probes.empty()) {
    const Sample& last = t.probes.back();
    fmt::format_to(out, "  last probe: {}{}: {}\n", to_string(last.outcome),
                   last.phase ? fmt::format(" in {}", to_string(*last.phase)) : "",
                   line_safe(t.last_diagnosis));
  }
  for (const TargetDiagnosis& d : t.diagnoses) write_diagnosis(out, d, now);
  write_probes(out, t);
}

}  // namespace

std::string format_status_text(const StatusSnapshot& s, const std::string& source) {
  std::string text;
  Out out(text);
  write_header(out, s, source);
  // Grouped by the feature they stand for, in the plan's order within each.
  for (Service service : kAllServices) {
    for (const TargetStatus& t : s.targets) {
      if (t.service == service) write_target_text(out, t, s.generated);
    }
  }
  return text;
}

}  // namespace proxywatch
