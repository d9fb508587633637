// The MTU comparison: three sequential probes and the verdict of their outcomes.
#include "common/mtu_check.h"

#include "common/probe.h"

namespace proxywatch {
namespace {

// A failure that large segments dying would cause: the peer went silent or reset mid-stream.
bool lost_in_flight(Outcome outcome) {
  return outcome == Outcome::kTlsStalled || outcome == Outcome::kTlsReset ||
         outcome == Outcome::kHttpStalled || outcome == Outcome::kHttpIncomplete;
}

}  // namespace

MtuVerdict mtu_verdict(Outcome normal, Outcome clamped, Outcome padded) {
  bool normal_ok = normal == Outcome::kOk;
  bool clamped_ok = clamped == Outcome::kOk;
  bool padded_ok = padded == Outcome::kOk;
  if (normal_ok && clamped_ok && padded_ok) return MtuVerdict::kNone;
  if (!normal_ok && clamped_ok && lost_in_flight(normal)) return MtuVerdict::kInbound;
  if (normal_ok && lost_in_flight(padded)) return MtuVerdict::kOutbound;
  // Nothing passes, or the failures are not of the size-dependent kind: not an MTU problem.
  if (!normal_ok && !clamped_ok && (!lost_in_flight(normal) || normal == clamped)) {
    return MtuVerdict::kNone;
  }
  return MtuVerdict::kInconclusive;
}

boost::asio::awaitable<MtuReport> run_mtu_comparison(ProbeSpec spec, TlsContexts::ContextPtr tls) {
  MtuReport report;
  spec.clamp_mss.reset();
  spec.pad_client_hello = false;
  report.normal = co_await run_probe(spec, tls);
  ProbeSpec clamped = spec;
  clamped.clamp_mss = report.clamp_mss;
  report.clamped = co_await run_probe(clamped, tls);
  ProbeSpec padded = spec;
  padded.pad_client_hello = true;
  report.padded = co_await run_probe(padded, tls);
  report.verdict =
      mtu_verdict(report.normal.outcome, report.clamped.outcome, report.padded.outcome);
  co_return report;
}

}  // namespace proxywatch
