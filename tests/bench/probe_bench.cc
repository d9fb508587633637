// CPU cost of one probe, measured on the probing thread only (CLOCK_THREAD_CPUTIME_ID), with
// the proxy and origin on their own threads in the same process. Compared with a bare TLS
// handshake to the origin over the same loopback, which is the floor a probe cannot go under.
//   probe_bench [N]   (default 2000 probes per case)
// Prints one line per case: CPU microseconds per probe on the probing thread; the captured
// case needs CAP_NET_RAW (it says so otherwise).
#include <time.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/capture/packet_capture.h"
#include "common/capture/packet_reading.h"
#include "common/probe/probe.h"
#include "common/probe/proxy_auth.h"
#include "tests/support/auth_proxy.h"
#include "tests/support/fake_proxy.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_origin.h"

namespace {

namespace asio = boost::asio;
using namespace proxywatch;
using proxywatch::testing::FakeProxy;

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Runs `n` probes of `spec` one after another; returns CPU µs per probe on this thread.
double bench_probes(const ProbeSpec& spec, TlsContexts::ContextPtr tls, int n, Outcome expect) {
  asio::io_context io;
  int bad = 0;
  double start = thread_cpu_seconds();
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (int i = 0; i < n; ++i) {
          ProbeResult r = co_await run_probe(spec, tls);
          if (r.outcome != expect) ++bad;
        }
      },
      asio::detached);
  io.run();
  double per = (thread_cpu_seconds() - start) / n * 1e6;
  if (bad) std::fprintf(stderr, "warning: %d probes had an unexpected outcome\n", bad);
  return per;
}

// `n` probes of `spec`, each captured (issue 19: what capture on costs the probing thread) with
// no linger (the daemon lingers 200 ms on a timer, which costs no CPU). Prints CPU µs per
// probe, then what one probe's capture holds (the ring's memory per pair) and the CPU of
// reading it.
void bench_captured(const ProbeSpec& spec, TlsContexts::ContextPtr tls, int n) {
  asio::io_context io;
  auto capture = PacketCapture::open(io.get_executor());
  if (!capture) {
    std::printf("probe: CONNECT + TLS, captured       (no capture: %s)\n",
                capture.error().to_string().c_str());
    return;
  }
  std::size_t bytes = 0, packets = 0;
  std::vector<ProbePackets> kept;
  double start = thread_cpu_seconds();
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (int i = 0; i < n; ++i) {
          auto tap = (*capture)->start_probe();
          co_await run_probe(spec, tls, tap.get());
          ProbePackets p = co_await (*capture)->finish(*tap, std::chrono::milliseconds(0));
          bytes += p.bytes();
          packets += p.packets.size();
          if (kept.size() < 100) kept.push_back(std::move(p));
        }
      },
      asio::detached);
  io.run();
  double per = (thread_cpu_seconds() - start) / n * 1e6;
  std::printf("probe: CONNECT + TLS, captured       %8.1f us\n", per);
  std::printf("  one probe's capture (ring per pair) %7.1f packets, %.0f bytes\n",
              static_cast<double>(packets) / n, static_cast<double>(bytes) / n);
  start = thread_cpu_seconds();
  std::size_t lines = 0;
  for (int round = 0; round < 10; ++round) {
    for (const auto& p : kept) lines += read_packets(p).lines.size();
  }
  std::printf("  reading one probe's packets        %8.1f us (%zu lines)\n",
              (thread_cpu_seconds() - start) / (10.0 * static_cast<double>(kept.size())) * 1e6,
              lines / (10 * kept.size()));
}

// The floor: a TCP connect and TLS handshake straight to the origin, then close.
double bench_bare_tls(std::uint16_t port, const std::string& ca, int n) {
  asio::io_context io;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.load_verify_file(ca);
  ctx.set_verify_mode(asio::ssl::verify_peer);
  double start = thread_cpu_seconds();
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (int i = 0; i < n; ++i) {
          asio::ssl::stream<asio::ip::tcp::socket> s(io, ctx);
          SSL_set_tlsext_host_name(s.native_handle(), "origin.test");
          SSL_set1_host(s.native_handle(), "origin.test");
          co_await s.next_layer().async_connect({asio::ip::make_address("127.0.0.1"), port},
                                                asio::use_awaitable);
          co_await s.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
          boost::system::error_code ignored;
          s.next_layer().close(ignored);
        }
      },
      asio::detached);
  io.run();
  return (thread_cpu_seconds() - start) / n * 1e6;
}

// CPU per Proxy-Authorization value computed for a Digest SHA-256 challenge (three SHA-256
// digests, a fresh cnonce, the header text), over `n` calls.
double bench_digest_answer(int n) {
  std::vector<AuthChallenge> challenges;
  parse_auth_challenges(R"(Digest realm="r", nonce="abc", qop="auth", algorithm=SHA-256)",
                        challenges);
  auto chosen = choose_challenge(challenges);
  ProxyCredentials credentials{"bench", "bench-password"};
  std::size_t total = 0;
  double start = thread_cpu_seconds();
  for (int i = 0; i < n; ++i) {
    total += authorization_for(*chosen, credentials, "CONNECT", "origin.test:443")->size();
  }
  double per = (thread_cpu_seconds() - start) / n * 1e6;
  if (total == 0) std::fprintf(stderr, "warning: empty answers\n");
  return per;
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 2000;
  const auto& ca = proxywatch::testing::shared_pki().ca;
  proxywatch::testing::TlsOrigin origin;
  FakeProxy relay({.behavior = FakeProxy::Behavior::kRelay, .upstream_port = origin.port()});
  FakeProxy deny(
      {.behavior = FakeProxy::Behavior::kStatus, .status_line = "HTTP/1.1 403 Forbidden"});
  TlsContexts contexts;
  auto tls = *contexts.get(ca.cert_file.string());

  ProbeSpec spec;
  spec.proxy = {"127.0.0.1", relay.port()};
  spec.target = {"origin.test", origin.port()};
  spec.ca_file = ca.cert_file.string();

  std::printf("probes per case: %d (CPU of the probing thread only)\n", n);
  std::printf("bare TCP+TLS handshake to origin     %8.1f us\n",
              bench_bare_tls(origin.port(), ca.cert_file.string(), n));
  std::printf("probe: CONNECT + TLS handshake       %8.1f us\n",
              bench_probes(spec, tls, n, Outcome::kOk));
  bench_captured(spec, tls, n);
  spec.request = HttpRequestSpec{"HEAD", "/"};
  std::printf("probe: CONNECT + TLS + HEAD /        %8.1f us\n",
              bench_probes(spec, tls, n, Outcome::kOk));
  spec.request.reset();
  proxywatch::testing::AuthProxy digest(
      {.user = "bench", .password = "bench-password", .upstream_port = origin.port()});
  spec.proxy.port = digest.port();
  spec.credentials = ProxyCredentials{"bench", "bench-password"};
  std::printf("probe: 407, Digest SHA-256, TLS      %8.1f us\n",
              bench_probes(spec, tls, n, Outcome::kOk));
  std::printf("Digest SHA-256 answer computed       %8.2f us\n", bench_digest_answer(n * 100));
  spec.credentials.reset();
  spec.proxy.port = deny.port();
  std::printf("probe: CONNECT answered 403          %8.1f us\n",
              bench_probes(spec, tls, n, Outcome::kProxyDenied));
  return 0;
}
