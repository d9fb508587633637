// measure_phase_timing: one io_context on this thread runs the probes one after another; the
// proxies and the origin run on their own threads.
#include "tests/support/phase_timing.h"

#include "tests/support/delay_proxy.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_origin.h"

#include "common/probe/probe.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <vector>

namespace proxywatch::testing {
namespace {

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

struct Medians {
  double proxy_connect = 0, tls_handshake = 0;
  std::size_t failed = 0;
};

Medians run_probes(const ProbeSpec& spec, TlsContexts::ContextPtr tls, std::size_t n) {
  std::vector<double> connect, handshake;
  std::size_t failed = 0;
  asio::io_context io;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (std::size_t i = 0; i < n; ++i) {
          ProbeResult r = co_await run_probe(spec, tls);
          auto c = r.duration(Phase::kProxyConnect);
          auto h = r.duration(Phase::kTlsHandshake);
          if (!r.ok() || !c || !h) {
            ++failed;
            continue;
          }
          connect.push_back(c->count());
          handshake.push_back(h->count());
        }
      },
      asio::detached);
  io.run();
  return {median(connect), median(handshake), failed};
}

}  // namespace

PhaseTiming measure_phase_timing(std::chrono::milliseconds connect_delay,
                                 std::chrono::milliseconds server_hello_delay, std::size_t probes) {
  const CertificateAuthority& ca = shared_pki().ca;
  TlsOrigin origin;
  DelayProxy plain({.upstream_port = origin.port()});
  DelayProxy delayed({.upstream_port = origin.port(),
                      .connect_delay = connect_delay,
                      .server_hello_delay = server_hello_delay});
  TlsContexts contexts;
  auto tls = contexts.get(ca.cert_file.string());
  if (!tls) throw std::runtime_error(tls.error().to_string());
  ProbeSpec spec;
  spec.target = {"origin.test", origin.port()};
  spec.ca_file = ca.cert_file.string();
  spec.proxy = {"127.0.0.1", plain.port()};
  Medians base = run_probes(spec, *tls, probes);
  spec.proxy = {"127.0.0.1", delayed.port()};
  Medians slow = run_probes(spec, *tls, probes);
  return {slow.proxy_connect, slow.tls_handshake, base.proxy_connect, base.tls_handshake,
          base.failed + slow.failed};
}

}  // namespace proxywatch::testing
