// The window rules behind acl_block, auth_misconfigured, proxy_unreachable, proxy_overloaded,
// inspection_interference and flapping.
#include "common/history/health_rules.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace proxywatch {
namespace {

using Predicate = OutcomeWindow::Predicate;

Evidence window_evidence(const OutcomeWindow& window, const Predicate& pred, std::string summary) {
  Evidence e;
  e.summary = std::move(summary);
  e.window_probes = static_cast<std::uint32_t>(window.size());
  e.matching_probes = static_cast<std::uint32_t>(window.count(pred));
  e.outcomes = outcome_counts(window, [](const Sample&) { return true; });
  e.phases = phase_counts(window, pred);
  return e;
}

// A rule about a run of one kind of failure: raised after persistent_after in a row, cleared
// after recover_after probes of another kind in a row.
RuleJudgement persistent(const OutcomeWindow& window, const HealthSettings& settings,
                         const Predicate& pred, std::string_view what) {
  RuleJudgement j;
  std::size_t run = window.trailing(pred);
  if (run >= settings.persistent_after) {
    j.raise =
        window_evidence(window, pred, fmt::format("the last {} probes in a row {}", run, what));
    j.raise->matching_probes = static_cast<std::uint32_t>(run);
  }
  j.clear = window.trailing([&](const Sample& s) { return !pred(s); }) >= settings.recover_after;
  return j;
}

RuleJudgement overloaded(const OutcomeWindow& window, const HealthSettings& settings) {
  RuleJudgement j;
  Predicate sign = [](const Sample& s) { return is_overload_sign(s.outcome); };
  std::size_t n = window.size();
  std::size_t signs = window.count(sign);
  std::size_t passes = window.count([](const Sample& s) { return s.ok(); });
  if (n >= settings.min_samples && passes > 0 &&
      at_least_percent(signs, n, settings.overload_percent)) {
    j.raise = window_evidence(
        window, sign,
        fmt::format("{} of the last {} probes got a 503 or no timely answer from the proxy, "
                    "while {} passed",
                    signs, n, passes));
  }
  j.clear = !at_least_percent(signs, n, settings.overload_percent / 2.0) || n == 0;
  return j;
}

RuleJudgement interference(const PairHistory& history, const HealthSettings& settings) {
  RuleJudgement j;
  Predicate cut = [](const Sample& s) { return is_transfer_cut(s.outcome); };
  std::size_t cuts = history.window.count(cut);
  if (history.cert_suspect) {
    j.raise = history.cert_suspect;
  } else if (cuts >= settings.transfer_cut_after) {
    j.raise = window_evidence(
        history.window, cut,
        fmt::format("{} of the last {} probes completed the TLS handshake, then the transfer "
                    "stalled or was cut",
                    cuts, history.window.size()));
  }
  j.clear = !history.cert_suspect && cuts < settings.transfer_cut_after;
  return j;
}

RuleJudgement flapping(const OutcomeWindow& window, const HealthSettings& settings) {
  RuleJudgement j;
  std::size_t changes = window.changes();
  Predicate failed = [](const Sample& s) { return !s.ok(); };
  if (window.size() >= settings.min_samples && changes >= settings.flapping_changes) {
    j.raise = window_evidence(
        window, failed,
        fmt::format("the last {} probes changed between passing and failing {} times",
                    window.size(), changes));
  }
  j.clear = changes * 2 < settings.flapping_changes;
  return j;
}

}  // namespace

bool is_unreachable(Outcome o) {
  return traits(o).rule == RuleClass::kUnreachable;
}

bool is_denied(Outcome o) {
  return traits(o).rule == RuleClass::kDenied;
}

bool is_auth_problem(Outcome o) {
  return traits(o).rule == RuleClass::kAuth;
}

bool is_overload_sign(Outcome o) {
  return traits(o).overload_sign;
}

bool is_transfer_cut(Outcome o) {
  return traits(o).rule == RuleClass::kTransferCut;
}

std::string outcome_counts(const OutcomeWindow& window, const Predicate& pred) {
  std::map<std::string_view, int> counts;
  for (const Sample& s : window.samples()) {
    if (pred(s)) ++counts[to_string(s.outcome)];
  }
  std::string out;
  for (const auto& [name, n] : counts)
    out += fmt::format("{}{}={}", out.empty() ? "" : " ", name, n);
  return out;
}

std::string phase_counts(const OutcomeWindow& window, const Predicate& pred) {
  auto counts = window.by_phase(pred);
  std::string out;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] == 0) continue;
    out += fmt::format("{}{}={}", out.empty() ? "" : " ", to_string(kAllPhases[i]), counts[i]);
  }
  return out;
}

bool verdict_unsettled(const PairHistory& history, const HealthSettings& settings) {
  if (history.consecutive_failures > 0) {
    return history.consecutive_failures <
           std::max(settings.failing_after, settings.persistent_after);
  }
  if (history.consecutive_successes == 0) return false;  // no probe yet
  const bool persistent = history.active.contains(Diagnosis::kAclBlock) ||
                          history.active.contains(Diagnosis::kAuthMisconfigured) ||
                          history.active.contains(Diagnosis::kProxyUnreachable);
  return (history.health == HealthState::kFailing || persistent) &&
         history.consecutive_successes < settings.recover_after;
}

RuleJudgement judge(Diagnosis diagnosis, const PairHistory& history,
                    const HealthSettings& settings) {
  const OutcomeWindow& w = history.window;
  switch (diagnosis) {
    case Diagnosis::kAclBlock:
      return persistent(
          w, settings, [](const Sample& s) { return is_denied(s.outcome); },
          "were refused by the proxy with 403 (proxy_denied)");
    case Diagnosis::kAuthMisconfigured:
      return persistent(
          w, settings, [](const Sample& s) { return is_auth_problem(s.outcome); },
          "failed proxy authentication (407)");
    case Diagnosis::kProxyUnreachable:
      return persistent(
          w, settings, [](const Sample& s) { return is_unreachable(s.outcome); },
          "could not reach the proxy (name, refused or no SYN-ACK)");
    case Diagnosis::kProxyOverloaded:
      return overloaded(w, settings);
    case Diagnosis::kInspectionInterference:
      return interference(history, settings);
    case Diagnosis::kFlapping:
      return flapping(w, settings);
    case Diagnosis::kMtuSuspected:
      break;
  }
  return RuleJudgement{};
}

}  // namespace proxywatch
