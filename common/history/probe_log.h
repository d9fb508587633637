// The probe log's records as the store reads them back (common/output/store/probe_store.h): a
// probe, a probe reduced to a chart point, and the stretches of time a pair spent in one health
// state or with one diagnosis. Plain data of a pair's past, here below the output stage so that
// the store that keeps them and the pages that draw them (common/output/status/history_*.h)
// share one definition. Never holds a credential.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "common/health.h"
#include "common/history/pair_history.h"
#include "common/outcome.h"
#include "common/probe_result.h"
#include "common/service.h"

namespace proxywatch {

// One probe as the store keeps it: what the history, the charts and the CLI show.
struct ProbeRecord {
  WallTime at{};        // when the probe finished (kept to the millisecond)
  std::string proxy{};  // "host:port", or "none"
  std::string target{};
  Service service = Service::kCustom;
  Outcome outcome = Outcome::kOk;
  std::optional<Phase> phase{};  // the failing phase; empty for ok
  std::array<std::optional<std::int64_t>, kAllPhases.size()> phase_us{};  // µs, phases that ran
  unsigned connect_status = 0;  // the proxy's own answer (0: none)
  unsigned http_status = 0;     // the answer to the request (0: none)
  std::uint64_t bytes = 0;      // body bytes received
  PeerClose peer_close = PeerClose::kNotSeen;
  bool reset = false;            // is_reset() of the probe
  std::string tls_version{};     // "TLSv1.3"; empty when no handshake finished
  std::string tls_issuer{};      // the leaf certificate's issuer, RFC 2253
  std::optional<TcpInfo> tcp{};  // the last TCP_INFO snapshot
  std::string diagnosis{};       // the probe's one sentence; kept for failures only
  bool confirmation = false;     // a confirmation probe (ProbeResult::confirmation)

  bool ok() const { return outcome == Outcome::kOk; }
  // The sum of the phase durations, in seconds: how long the probe took until it ended.
  double total_seconds() const {
    std::int64_t us = 0;
    for (const auto& took : phase_us) us += took.value_or(0);
    return static_cast<double>(us) / 1e6;
  }
  friend bool operator==(const ProbeRecord&, const ProbeRecord&) = default;
};

// A probe reduced to what a latency chart needs (ProbeStore::points).
struct ProbePoint {
  WallTime at{};
  bool ok = true;
  double seconds = 0;  // ProbeRecord::total_seconds()
};

// A stretch of time a pair spent in one health state, or with one diagnosis active. `to` is
// empty while it lasts.
struct HealthInterval {
  std::string proxy{};
  std::string target{};
  HealthState state = HealthState::kUnknown;
  WallTime from{};
  std::optional<WallTime> to{};
  friend bool operator==(const HealthInterval&, const HealthInterval&) = default;
};
struct DiagnosisInterval {
  std::string proxy{};
  std::string target{};
  Diagnosis diagnosis{};
  WallTime from{};
  std::optional<WallTime> to{};
  Evidence evidence{};        // as raised
  std::string cleared_why{};  // the clear's sentence; empty while it lasts
  friend bool operator==(const DiagnosisInterval&, const DiagnosisInterval&) = default;
};

}  // namespace proxywatch
