// A probe log made up for the history page's tests and benchmark: one target probed at a fixed
// interval over a span, passing in 20 – 80 ms except for one outage (refused by the proxy,
// `failing`, acl_block raised and cleared). Written with ProbeStore::open + write, as the
// daemon's writer does. Header-only; link proxywatch::store.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>

#include "common/output/store/probe_store.h"
#include "tests/support/results.h"

namespace proxywatch::testing {

struct HistoryFill {
  std::string proxy = "127.0.0.1:3128";
  std::string target = "origin";
  WallTime end{};                     // the last probe is one interval before
  std::chrono::seconds span{3600};    // probes in [end - span, end)
  std::chrono::seconds interval{60};  // between probes
  WallTime outage_from{};             // probes in [outage_from, outage_to) fail
  WallTime outage_to{};
};

// Writes `fill` into the probe log at `path` (created when absent); throws when it cannot.
inline void fill_history(const std::string& path, const HistoryFill& fill) {
  auto opened = ProbeStore::open(path, fill.end);
  if (!opened) throw std::runtime_error(opened.error().to_string());
  ProbeStore& store = *opened->store;
  auto write = [&](const StoreBatch& batch) {
    if (auto written = store.write(batch); !written) {
      throw std::runtime_error(written.error().to_string());
    }
  };
  StoreBatch batch;
  auto health_at = [&](WallTime t, HealthState s) {
    batch.health.push_back({fill.proxy, fill.target, s, t});
  };
  health_at(fill.end - fill.span, HealthState::kHealthy);
  if (fill.outage_to > fill.outage_from) {
    health_at(fill.outage_from, HealthState::kFailing);
    health_at(fill.outage_to, HealthState::kHealthy);
    Evidence evidence{.summary = "3 probes in a row were refused with 403"};
    batch.diagnoses.push_back(
        {fill.proxy, fill.target, Diagnosis::kAclBlock, true, fill.outage_from, evidence});
    batch.diagnoses.push_back({fill.proxy,
                               fill.target,
                               Diagnosis::kAclBlock,
                               false,
                               fill.outage_to,
                               {.summary = "the tunnel opened again"}});
  }
  std::size_t n = 0;
  for (WallTime t = fill.end - fill.span; t < fill.end; t += fill.interval, ++n) {
    bool failed = t >= fill.outage_from && t < fill.outage_to;
    ProbeResult r =
        failed ? result(Outcome::kProxyDenied, Phase::kProxyConnect) : result(Outcome::kOk);
    if (failed) {
      r.diagnosis = "The proxy refused the tunnel to origin.test:443 with 403 Forbidden.";
    } else {
      // 20 – 80 ms in a pattern that repeats every 7 probes: a spread for the smoke.
      r.phases[static_cast<std::size_t>(Phase::kTlsHandshake)] =
          Seconds(0.018 + 0.01 * static_cast<double>(n % 7));
    }
    batch.probes.push_back(make_probe_record(fill.proxy, fill.target, Service::kCustom, r, t));
    if (batch.probes.size() == 5000) {
      write(batch);
      batch = {};
    }
  }
  write(batch);
}

}  // namespace proxywatch::testing
