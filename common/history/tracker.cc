// Health with hysteresis, the certificate check, and the rule pass after every probe.
#include "common/history/tracker.h"

#include <fmt/format.h>

#include "common/history/health_rules.h"

namespace proxywatch {
namespace {

// The window rules, in the order they are judged: flapping last, because it stands back when
// one of the more specific explanations is active.
constexpr std::array kWindowRules = {Diagnosis::kAclBlock, Diagnosis::kAuthMisconfigured,
                                     Diagnosis::kProxyUnreachable, Diagnosis::kProxyOverloaded,
                                     Diagnosis::kInspectionInterference};
// Diagnoses that explain alternating passes and failures better than "flapping" does.
constexpr std::array kExplainsFlapping = {
    Diagnosis::kProxyOverloaded, Diagnosis::kInspectionInterference, Diagnosis::kMtuSuspected};

// Whether a presented issuer satisfies the pin: equal, or containing it (so "CN=Example CA"
// pins a full RFC 2253 name).
bool issuer_matches(const std::string& presented, const std::string& expected) {
  return presented == expected || presented.find(expected) != std::string::npos;
}

bool handshake_completed(const ProbeResult& r) {
  return r.duration(Phase::kTlsHandshake).has_value() && r.phase != Phase::kTlsHandshake;
}

std::string tcp_text(const std::optional<TcpInfo>& tcp) {
  if (!tcp) return "no TCP_INFO";
  return fmt::format("retransmits={} pmtu={} snd_mss={} rcv_mss={}", tcp->retransmits, tcp->pmtu,
                     tcp->snd_mss, tcp->rcv_mss);
}

Evidence mtu_evidence(const MtuReport& report) {
  Evidence e;
  e.mtu_direction = std::string(to_string(report.verdict));
  e.mtu_detail =
      fmt::format("normal={} ({}); clamped to mss {}={} ({}); padded ClientHello={} ({})",
                  to_string(report.normal.outcome), tcp_text(report.normal.tcp()), report.clamp_mss,
                  to_string(report.clamped.outcome), tcp_text(report.clamped.tcp()),
                  to_string(report.padded.outcome), tcp_text(report.padded.tcp()));
  e.outcomes = fmt::format("normal={} clamped={} padded={}", to_string(report.normal.outcome),
                           to_string(report.clamped.outcome), to_string(report.padded.outcome));
  e.summary = report.verdict == MtuVerdict::kInbound
                  ? "large segments from the proxy are lost: the normal probe failed, the same "
                    "probe with a clamped MSS passed"
                  : "large segments towards the proxy are lost: the normal probe passed, the same "
                    "probe with a padded ClientHello failed";
  return e;
}

}  // namespace

TrackerChanges Tracker::record(const ProbeResult& result, WallTime now,
                               const std::string& expect_issuer) {
  Sample sample = make_sample(result, now);
  history_.window.add(sample, settings_);
  update_counters(sample);
  update_cert(result, expect_issuer);
  TrackerChanges changes;
  HealthState next = next_health();
  if (next != history_.health) {
    changes.health_from = history_.health;
    history_.health_since = now;
  }
  history_.health = next;
  history_.last_diagnosis = result.diagnosis;
  changes.health = next;
  apply_rules(now, changes);
  return changes;
}

TrackerChanges Tracker::record_mtu(const MtuReport& report, WallTime now) {
  TrackerChanges changes;
  changes.health = history_.health;
  history_.last_mtu = report.verdict;
  if (report.verdict == MtuVerdict::kInbound || report.verdict == MtuVerdict::kOutbound) {
    auto it = history_.active.find(Diagnosis::kMtuSuspected);
    Evidence evidence = mtu_evidence(report);
    if (it != history_.active.end() &&
        it->second.evidence.mtu_direction == evidence.mtu_direction) {
      it->second.evidence = std::move(evidence);
    } else {
      raise(Diagnosis::kMtuSuspected, std::move(evidence), now, changes);
    }
  } else if (report.verdict == MtuVerdict::kNone && active(Diagnosis::kMtuSuspected)) {
    clear(Diagnosis::kMtuSuspected,
          fmt::format("the MTU comparison passed alike: normal={} clamped={} padded={}",
                      to_string(report.normal.outcome), to_string(report.clamped.outcome),
                      to_string(report.padded.outcome)),
          changes);
  }
  return changes;
}

void Tracker::update_counters(const Sample& sample) {
  if (sample.ok()) {
    ++history_.consecutive_successes;
    history_.consecutive_failures = 0;
  } else {
    ++history_.consecutive_failures;
    history_.consecutive_successes = 0;
  }
}

HealthState Tracker::next_health() const {
  const OutcomeWindow& w = history_.window;
  if (history_.consecutive_failures >= settings_.failing_after) return HealthState::kFailing;
  bool failing = history_.health == HealthState::kFailing;
  if (failing && history_.consecutive_successes < settings_.recover_after) {
    return HealthState::kFailing;
  }
  if (w.empty()) return HealthState::kUnknown;
  std::size_t failed = w.count([](const Sample& s) { return !s.ok(); });
  if (w.size() >= settings_.min_samples &&
      at_least_percent(failed, w.size(), settings_.degraded_percent)) {
    return HealthState::kDegraded;
  }
  if (history_.health == HealthState::kDegraded &&
      at_least_percent(failed, w.size(), settings_.degraded_percent / 2.0)) {
    return HealthState::kDegraded;
  }
  // Not enough passes yet to call a new pair healthy.
  if (history_.health == HealthState::kUnknown && !w.samples().back().ok()) {
    return HealthState::kUnknown;
  }
  return HealthState::kHealthy;
}

void Tracker::update_cert(const ProbeResult& result, const std::string& expect_issuer) {
  const TlsInfo& tls = result.tls;
  Evidence e{.cert_subject = tls.subject,
             .cert_issuer = tls.issuer,
             .expected_issuer = expect_issuer,
             .verify_error = tls.verify_error};
  // A leaf whose dates are its only fault has a trusted issuer and the right name: outdated or
  // a wrong clock, not an inspecting proxy. Its issuer is still checked against the pin.
  bool only_dates = tls.date_fault != CertDateFault::kNone;
  if (result.outcome == Outcome::kTlsVerifyFailed && !only_dates) {
    e.summary = fmt::format(
        "the origin's certificate did not verify ({}): subject '{}' issued "
        "by '{}'",
        tls.verify_error.empty() ? "no reason given" : tls.verify_error, tls.subject, tls.issuer);
    history_.cert_suspect = e;
  } else if (!tls.issuer.empty() && (handshake_completed(result) || only_dates)) {
    if (!expect_issuer.empty() && !issuer_matches(tls.issuer, expect_issuer)) {
      e.summary = fmt::format(
          "the origin's certificate (subject '{}') is issued by '{}', not "
          "by the expected '{}'",
          tls.subject, tls.issuer, expect_issuer);
      history_.cert_suspect = e;
    } else {
      history_.cert_suspect.reset();
    }
  }
}

void Tracker::apply_rules(WallTime now, TrackerChanges& changes) {
  for (Diagnosis d : kWindowRules) {
    RuleJudgement j = judge(d, history_, settings_);
    auto it = history_.active.find(d);
    if (it == history_.active.end()) {
      if (j.raise) raise(d, std::move(*j.raise), now, changes);
    } else if (j.clear) {
      clear(d, "", changes);
    } else if (j.raise) {
      it->second.evidence = std::move(*j.raise);  // fresher numbers, no new event
    }
  }
  const char* explained_by = nullptr;
  for (Diagnosis d : kExplainsFlapping) {
    if (active(d)) explained_by = to_string(d).data();
  }
  if (explained_by) {
    if (active(Diagnosis::kFlapping)) {
      clear(Diagnosis::kFlapping, fmt::format("explained by {}", explained_by), changes);
    }
    return;
  }
  RuleJudgement j = judge(Diagnosis::kFlapping, history_, settings_);
  if (!active(Diagnosis::kFlapping) && j.raise) {
    raise(Diagnosis::kFlapping, std::move(*j.raise), now, changes);
  } else if (active(Diagnosis::kFlapping) && j.clear) {
    clear(Diagnosis::kFlapping, "", changes);
  }
}

void Tracker::raise(Diagnosis d, Evidence evidence, WallTime now, TrackerChanges& changes) {
  history_.active[d] = ActiveDiagnosis{now, evidence};
  changes.diagnoses.push_back(DiagnosisChange{d, true, std::move(evidence)});
}

void Tracker::clear(Diagnosis d, std::string why, TrackerChanges& changes) {
  auto it = history_.active.find(d);
  if (it == history_.active.end()) return;
  Evidence evidence = it->second.evidence;
  const OutcomeWindow& w = history_.window;
  evidence.summary = why.empty()
                         ? fmt::format("no longer seen: the last {} probes were {}", w.size(),
                                       outcome_counts(w, [](const Sample&) { return true; }))
                         : std::move(why);
  history_.active.erase(it);
  changes.diagnoses.push_back(DiagnosisChange{d, false, std::move(evidence)});
}

}  // namespace proxywatch
