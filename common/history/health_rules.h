// The pattern rules: each looks at a pair's history and says whether its diagnosis should be
// raised (with the evidence) or cleared. Raising and clearing use different thresholds
// (hysteresis), so a diagnosis neither flickers nor clears on one lucky probe. docs/diagnoses.md
// documents every rule for operators; keep the two in step.
#pragma once

#include <optional>

#include "common/health.h"
#include "common/history/pair_history.h"

namespace proxywatch {

struct RuleJudgement {
  std::optional<Evidence> raise;  // set: the raising condition holds, with its evidence
  bool clear = false;             // the clearing condition holds
};

// The judgement of the window rule for `diagnosis` on `history`. mtu_suspected is not a
// window rule (Tracker::record_mtu) and always judges "no change". flapping is judged on the
// window alone; the Tracker suppresses it while a more specific explanation is active.
RuleJudgement judge(Diagnosis diagnosis, const PairHistory& history,
                    const HealthSettings& settings);

// Whether a pair's verdict is still unsettled after its last probe, so that a confirmation
// probe should follow soon (the daemon's scheduler): the last probe failed and the run of
// failures has not yet reached failing_after and persistent_after (a failure that may be
// transient, or a failing verdict not yet reached), or it passed while the pair is failing or
// has a persistent diagnosis (acl_block, auth_misconfigured, proxy_unreachable) and the run of
// passes has not yet reached recover_after. A negative probe's "failure" is an open tunnel.
bool verdict_unsettled(const PairHistory& history, const HealthSettings& settings);

// The outcomes that each rule counts: the `rule` and `overload_sign` columns of kOutcomeTraits
// (common/outcome.h).
// proxy_unreachable: dns_failed, tcp_refused, tcp_timeout.
bool is_unreachable(Outcome outcome);
// acl_block: proxy_denied.
bool is_denied(Outcome outcome);
// auth_misconfigured: proxy_auth_required, _failed, _unsupported, _insecure.
bool is_auth_problem(Outcome outcome);
// proxy_overloaded: 503, or the proxy (or its listen queue) not answering in time
// (proxy_unavailable, proxy_stalled, tcp_timeout).
bool is_overload_sign(Outcome outcome);
// inspection_interference: the tunnel and TLS handshake worked, then the transfer stalled or
// was cut (http_stalled, http_incomplete).
bool is_transfer_cut(Outcome outcome);

// "ok=5 proxy_stalled=5": the window's outcomes among samples matching `pred`, by name.
std::string outcome_counts(const OutcomeWindow& window, const OutcomeWindow::Predicate& pred);
// "proxy_connect=5": the failing phases of samples matching `pred`.
std::string phase_counts(const OutcomeWindow& window, const OutcomeWindow::Predicate& pred);

}  // namespace proxywatch
