// The probe engine's frame (probe_session.h): run() walks the phases in order; this file also
// reaches the proxy (DNS with a deadline, the TCP connect, TCP_INFO) and closes the socket at
// the end. The CONNECT exchange is probe_connect.cc, TLS and HTTP with the origin
// probe_origin.cc.
#include "common/probe/probe.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>

#include <fmt/format.h>

#include <boost/asio/ssl/error.hpp>
#include <boost/asio/this_coro.hpp>

#include "common/local_errors.h"
#include "common/probe/diagnosis.h"
#include "common/probe/dns_lookup.h"
#include "common/probe/probe_session.h"
#include "common/probe/tcp_info.h"

namespace proxywatch {
namespace detail {

namespace ssl = asio::ssl;
using asio::ip::tcp;

bool is_reset(const error_code& ec) {
  return ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
}

bool is_closed(const error_code& ec) {
  return ec == asio::error::eof || ec == http::error::end_of_stream ||
         ec == http::error::partial_message || ec == ssl::error::stream_truncated;
}

asio::awaitable<ProbeResult> ProbeSession::run() {
  result_.started = std::chrono::system_clock::now();
  auto start = Clock::now();
  // Sequential statements rather than one && chain: g++ 12 miscompiles co_await inside
  // short-circuit conditions.
  bool ok = co_await resolve();
  if (ok) ok = co_await connect_tcp();
  if (ok) ok = co_await connect_proxy();
  if (spec_.plain_http()) {
    // No tunnel: the proxy answered the request itself, and the body follows on its connection.
    if (ok) ok = co_await forward_transfer();
  } else {
    if (ok) ok = co_await handshake_tls();
    if (ok && spec_.request) ok = co_await first_byte();
    if (ok && spec_.request) ok = co_await transfer();
    if (ok) co_await close_tls();
  }
  close_socket();
  result_.total = Clock::now() - start;
  if (result_.ok()) fail_overrun_phase();
  result_.diagnosis = diagnose(result_, spec_);
  co_return std::move(result_);
}

Millis ProbeSession::deadline_of(Phase p) const {
  return spec_.timeouts.of(p);
}

// A phase's I/O and its deadline's timer complete on the same thread: when that thread was
// late (the host overloaded), the I/O may win although the deadline passed long before. Such a
// phase is not "ok in 5 s against a 3 s deadline": it is the phase's timeout, and the error
// says that the daemon measured it late (proxywatch_event_loop_lag_seconds shows by how much).
void ProbeSession::fail_overrun_phase() {
  for (Phase p : kAllPhases) {
    const auto took = result_.phases[static_cast<std::size_t>(p)];
    const Millis deadline = deadline_of(p);
    if (!took || *took <= deadline + kOverrunTolerance) continue;
    static constexpr std::array kTimeoutOutcome = {Outcome::kDnsFailed,    Outcome::kTcpTimeout,
                                                   Outcome::kProxyStalled, Outcome::kTlsStalled,
                                                   Outcome::kHttpStalled,  Outcome::kHttpStalled};
    fail(kTimeoutOutcome[static_cast<std::size_t>(p)], p);
    if (p == Phase::kTransfer) result_.transfer_deadline_reached = true;
    result_.error = fmt::format(
        "the {} phase ended {:.3f} s after it began, past its {:.3f} s deadline: the daemon "
        "measured it late (its event loop was busy), so it counts as timed out",
        to_string(p), std::chrono::duration<double>(*took).count(),
        std::chrono::duration<double>(deadline).count());
    return;
  }
}

void ProbeSession::timed(Phase p, Clock::time_point since) {
  result_.phases[static_cast<size_t>(p)] = Clock::now() - since;
}

std::optional<LocalReason> local_exhaustion(const error_code& ec) {
  if (ec.category() != boost::system::system_category()) return std::nullopt;
  return local_reason(std::error_code(ec.value(), std::system_category()));
}

bool ProbeSession::fail(Outcome outcome, Phase phase, const error_code& ec) {
  // Our own descriptors or memory ran out: whatever the phase expected, the proxy is not to blame.
  result_.local_reason = local_exhaustion(ec);
  if (result_.local_reason) outcome = Outcome::kLocalError;
  result_.outcome = outcome;
  result_.phase = phase;
  if (ec) result_.error = ec.message();
  if (is_reset(ec)) result_.peer_close = PeerClose::kRst;
  if (is_closed(ec)) result_.peer_close = PeerClose::kFin;
  return false;
}

asio::awaitable<bool> ProbeSession::resolve() {
  const HostPort& proxy = spec_.proxy;
  if (is_ip_literal(proxy.host)) {
    endpoints_.emplace_back(asio::ip::make_address(proxy.host), proxy.port);
    co_return true;
  }
  auto start = Clock::now();
  DnsAnswer answer = co_await resolve_with_deadline(proxy.host, proxy.port, spec_.timeouts.dns);
  timed(Phase::kDns, start);
  if (!answer) {
    fail(Outcome::kDnsFailed, Phase::kDns);
    result_.local_reason = local_reason(answer.error().code);
    if (result_.local_reason) result_.outcome = Outcome::kLocalError;
    result_.error = answer.error().message;
    co_return false;
  }
  endpoints_ = std::move(*answer);
  co_return true;
}

error_code ProbeSession::open_socket(const tcp::endpoint& remote) {
  error_code ec;
  socket_connected_ = false;
  tcp_.socket().close(ec);
  tcp_.socket().open(remote.protocol(), ec);
  if (ec) return ec;
  if (spec_.clamp_mss) {
    int mss = static_cast<int>(*spec_.clamp_mss);
    if (setsockopt(tcp_.socket().native_handle(), IPPROTO_TCP, TCP_MAXSEG, &mss, sizeof mss) != 0) {
      return error_code(errno, boost::system::system_category());
    }
  }
  return announce(tcp_.socket(), remote);
}

error_code ProbeSession::announce(tcp::socket& socket, const tcp::endpoint& remote) {
  if (!tap_) return {};
  error_code ec;
  // Port 0: the kernel picks an ephemeral port now instead of at connect(2).
  socket.bind(tcp::endpoint(remote.protocol(), 0), ec);
  if (ec) return ec;
  tcp::endpoint local = socket.local_endpoint(ec);
  if (ec) return ec;
  tap_->connecting(local, remote);
  return {};
}

asio::awaitable<bool> ProbeSession::connect_tcp() {
  auto start = Clock::now();
  auto deadline = start + spec_.timeouts.tcp_connect;
  error_code ec = asio::error::host_not_found;
  for (const auto& endpoint : endpoints_) {
    tcp_.expires_at(deadline);
    ec = open_socket(endpoint);
    if (ec) break;
    std::tie(ec) = co_await tcp_.async_connect(endpoint, kUseTuple);
    if (!ec) {
      connected_ = endpoint;
      socket_connected_ = true;
      result_.proxy_address =
          endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
      break;
    }
    if (ec == beast::error::timeout) break;
  }
  timed(Phase::kTcpConnect, start);
  if (ec == beast::error::timeout) co_return fail(Outcome::kTcpTimeout, Phase::kTcpConnect, ec);
  if (ec) co_return fail(Outcome::kTcpRefused, Phase::kTcpConnect, ec);
  tcp_.socket().set_option(tcp::no_delay(true), ec);
  result_.tcp_after_connect = read_tcp_info(tcp_.socket().native_handle());
  co_return true;
}

void ProbeSession::close_socket() {
  auto& socket = lowest().socket();
  if (!socket.is_open()) return;
  // A socket that never connected (refused, timed out) has a fresh socket's TCP_INFO (rtt 0,
  // default MSS, rttvar 250 ms): no evidence about the path, so it is not read.
  if (!result_.tcp_at_end && socket_connected_) {
    result_.tcp_at_end = read_tcp_info(socket.native_handle());
  }
  error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

}  // namespace detail

boost::asio::awaitable<ProbeResult> run_probe(ProbeSpec spec, TlsContexts::ContextPtr tls,
                                              PacketTap* tap) {
  detail::ProbeSession probe(co_await boost::asio::this_coro::executor, std::move(spec),
                             std::move(tls), tap);
  co_return co_await probe.run();
}

}  // namespace proxywatch
