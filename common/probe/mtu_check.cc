// The MTU comparison: three sequential probes and the verdict of their outcomes.
#include "common/probe/mtu_check.h"

#include <fmt/format.h>

#include "common/probe/probe.h"

namespace proxywatch {
namespace {

// A failure that large segments dying would cause: the peer went silent or reset mid-stream.
bool lost_in_flight(Outcome outcome) {
  return traits(outcome).loss != SegmentLoss::kNone;
}

// A padded ClientHello that died on the way: only the handshake tells about it.
bool hello_lost(Outcome outcome) {
  return traits(outcome).loss == SegmentLoss::kHandshake;
}

}  // namespace

MtuVerdict mtu_verdict(Outcome normal, Outcome clamped, Outcome padded) {
  bool normal_ok = normal == Outcome::kOk;
  bool clamped_ok = clamped == Outcome::kOk;
  bool padded_ok = padded == Outcome::kOk;
  if (normal_ok && clamped_ok && padded_ok) return MtuVerdict::kNone;
  if (clamped_ok && lost_in_flight(normal) && lost_in_flight(padded)) return MtuVerdict::kInbound;
  if (normal_ok && hello_lost(padded)) return MtuVerdict::kOutbound;
  bool none_ok = !normal_ok && !clamped_ok && !padded_ok;
  bool all_alike = normal == clamped && normal == padded;
  bool none_in_flight = !lost_in_flight(normal) && !lost_in_flight(clamped);
  // The small probe fails like the large ones, or before any large segment: not MTU.
  if (none_ok && (all_alike || none_in_flight)) return MtuVerdict::kNone;
  return MtuVerdict::kInconclusive;
}

std::size_t padded_hello_bytes(const MtuReport& report) {
  const auto& tcp = report.padded.tcp_after_connect;
  return client_hello_pad_bytes(tcp ? tcp->snd_mss : 0);
}

std::string mtu_diagnosis(const MtuReport& report) {
  switch (report.verdict) {
    case MtuVerdict::kNone:
      if (report.normal.ok()) return "No sign of an MTU problem: large segments pass both ways.";
      return "Not an MTU problem: the probe with small segments fails too (see the normal probe's "
             "diagnosis).";
    case MtuVerdict::kInbound:
      return fmt::format(
          "MTU problem towards this host: with the MSS clamped to {} the probe passes, unclamped "
          "it fails, so full-size segments from the proxy are lost; check the MTU and MSS "
          "clamping between proxy and this host.",
          report.clamp_mss);
    case MtuVerdict::kOutbound:
      return fmt::format(
          "MTU problem from this host: the normal probe passes, but a ClientHello padded by {} "
          "bytes to exceed one full-size segment is {}; check the MTU between this host and the "
          "proxy.",
          padded_hello_bytes(report), traits(report.padded.outcome).reset ? "reset" : "lost");
    case MtuVerdict::kInconclusive:
      break;
  }
  return "Inconclusive: the three probes disagree in a way that names no direction; repeat the "
         "check.";
}

void conclude_mtu_report(MtuReport& report) {
  report.verdict =
      mtu_verdict(report.normal.outcome, report.clamped.outcome, report.padded.outcome);
  report.padded_hello_bytes = padded_hello_bytes(report);
  report.diagnosis = mtu_diagnosis(report);
}

boost::asio::awaitable<MtuReport> run_mtu_comparison(ProbeSpec spec, TlsContexts::ContextPtr tls,
                                                     TlsContexts::ContextPtr padded_tls,
                                                     MtuTaps taps) {
  MtuReport report;
  spec.clamp_mss.reset();
  spec.pad_client_hello = false;
  report.normal = co_await run_probe(spec, tls, taps.normal);
  ProbeSpec clamped = spec;
  clamped.clamp_mss = report.clamp_mss;
  report.clamped = co_await run_probe(clamped, tls, taps.clamped);
  ProbeSpec padded = spec;
  padded.pad_client_hello = true;
  report.padded = co_await run_probe(padded, padded_tls, taps.padded);
  conclude_mtu_report(report);
  co_return report;
}

}  // namespace proxywatch
