// The plain data of a (proxy, target) pair's history: its window, health, counters, active
// diagnoses with the evidence behind each, and the last MTU verdict. What the Tracker works on,
// what the pattern rules judge, and what the state file saves; no behaviour of its own.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/health.h"
#include "common/history/outcome_window.h"
#include "common/mtu_report.h"

namespace proxywatch {

// What supports a diagnosis: a sentence and the numbers behind it. Never holds a secret: only
// outcomes, phases, counts, certificate names and TCP figures.
struct Evidence {
  std::string summary{};              // one human sentence, the journal's MESSAGE tail
  std::uint32_t window_probes = 0;    // probes in the window when it was judged
  std::uint32_t matching_probes = 0;  // of them, those the rule counted
  std::string outcomes{};             // "ok=5 proxy_stalled=5"
  std::string phases{};               // "proxy_connect=5"
  std::string cert_subject{};         // inspection_interference: what was presented
  std::string cert_issuer{};
  std::string expected_issuer{};
  std::string verify_error{};
  std::string mtu_direction{};  // mtu_suspected: "inbound" or "outbound"
  std::string mtu_detail{};     // outcomes of the three probes, TCP_INFO, clamp MSS
  friend bool operator==(const Evidence&, const Evidence&) = default;
};

struct ActiveDiagnosis {
  WallTime since;
  Evidence evidence;
};

// Everything a Tracker knows; what the state file keeps.
struct PairHistory {
  HealthState health = HealthState::kUnknown;
  std::optional<WallTime> health_since;  // when `health` was last entered; empty: never changed
  std::uint32_t consecutive_failures = 0;
  std::uint32_t consecutive_successes = 0;
  OutcomeWindow window;
  std::map<Diagnosis, ActiveDiagnosis> active;
  // The last certificate that looked intercepted; cleared by one that verified as expected.
  std::optional<Evidence> cert_suspect;
  std::optional<MtuVerdict> last_mtu;
  // The last probe's one-sentence diagnosis (ProbeResult::diagnosis), for the status page.
  std::string last_diagnosis;
};

}  // namespace proxywatch
