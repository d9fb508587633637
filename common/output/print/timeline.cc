// Formatting of the timeline printed by `proxywatch check`.
#include "common/output/print/timeline.h"

#include <ctime>

#include <fmt/format.h>

namespace proxywatch {
namespace {

std::string ms(Seconds d) {
  return fmt::format("{:.1f} ms", d.count() * 1000);
}

std::string date(std::int64_t epoch) {
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d", &tm);
  return text;
}

// " → 407 → Digest SHA-256 as user" for a probe that authenticated (the user comes from the
// spec; the password never appears).
std::string auth_detail(const ProbeResult& r) {
  if (r.auth_scheme.empty()) return {};
  std::string out = " → 407 → " + r.auth_scheme;
  if (r.auth_stale_retry) out += " → 407 stale nonce → retry";
  if (r.auth_reconnects > 0) out += fmt::format(" ({} reconnect)", r.auth_reconnects);
  return out;
}

std::string phase_detail(Phase p, const ProbeResult& r, const ProbeSpec& s) {
  switch (p) {
    case Phase::kDns:
      return fmt::format("resolve {}", s.proxy.host);
    case Phase::kTcpConnect: {
      std::string tcp = r.tcp_after_connect
                            ? fmt::format(" (rtt {} us, mss {})", r.tcp_after_connect->rtt_us,
                                          r.tcp_after_connect->snd_mss)
                            : "";
      return fmt::format("TCP handshake with {}{}", s.proxy.to_string(), tcp);
    }
    case Phase::kProxyConnect:
      return r.connect_status == 0
                 ? fmt::format("CONNECT {} → no answer", s.target.to_string())
                 : fmt::format("CONNECT {}{} → {} {}", s.target.to_string(), auth_detail(r),
                               r.connect_status, r.connect_reason);
    case Phase::kTlsHandshake:
      if (r.tls.version.empty()) return fmt::format("TLS handshake with {}", s.target.host);
      return fmt::format("{} {}, certificate {} issued by {}{}", r.tls.version, r.tls.cipher,
                         r.tls.subject, r.tls.issuer,
                         r.tls.not_after ? ", expires " + date(*r.tls.not_after) : "");
    case Phase::kHttpFirstByte:
      if (s.plain_http()) {
        // The proxy's answer to the absolute-form request: its own, or the origin's relayed.
        std::string by = r.connect_status != 0 ? " (the proxy's own answer)" : "";
        return r.http_status == 0
                   ? fmt::format("{} {}{} → no answer", s.request->method, s.absolute_uri(),
                                 auth_detail(r))
                   : fmt::format("{} {}{} → {}{}", s.request->method, s.absolute_uri(),
                                 auth_detail(r), r.http_status, by);
      }
      return fmt::format("{} {} → first byte", s.request->method, s.request->path);
    case Phase::kTransfer:
      return fmt::format("HTTP {}, {} body bytes", r.http_status, r.bytes);
  }
  return {};
}

// One row of the MTU comparison; the TCP figures are the last TCP_INFO the probe read.
std::string mtu_row(std::string_view name, const ProbeResult& r, std::string_view setting) {
  const auto& tcp = r.tcp();
  std::string mss = tcp ? fmt::format("{}/{}", tcp->snd_mss, tcp->rcv_mss) : "-";
  std::string pmtu = tcp ? std::to_string(tcp->pmtu) : "-";
  std::string retrans = tcp ? std::to_string(tcp->retransmits) : "-";
  std::string phase = r.phase ? std::string(to_string(*r.phase)) : "-";
  return fmt::format("  {:<8} {:<24} {:<15} {:<14} {:>10} {:>11} {:>5} {:>7}\n", name, setting,
                     to_string(r.outcome), phase, ms(r.total), mss, pmtu, retrans);
}

}  // namespace

std::string format_mtu_timeline(const MtuReport& report, const ProbeSpec& spec) {
  std::string out = format_timeline(report.normal, spec);
  out += "\nMTU comparison (the same probe three times, one after the other):\n";
  out += fmt::format("  {:<8} {:<24} {:<15} {:<14} {:>10} {:>11} {:>5} {:>7}\n", "probe", "setting",
                     "outcome", "phase", "took", "mss snd/rcv", "pmtu", "retrans");
  out += mtu_row("normal", report.normal, "as configured");
  out += mtu_row("clamped", report.clamped, fmt::format("MSS clamped to {}", report.clamp_mss));
  out += mtu_row("padded", report.padded,
                 fmt::format("ClientHello +{} bytes", report.padded_hello_bytes));
  out += fmt::format("mtu verdict: {}\n", to_string(report.verdict));
  out += fmt::format("mtu diagnosis: {}\n", report.diagnosis);
  return out;
}

std::string format_timeline(const ProbeResult& r, const ProbeSpec& s) {
  std::string out = fmt::format("proxy {} → target {}{}\n", s.proxy.to_string(), s.target_text(),
                                s.expect_denied ? " (expect denied)" : "");
  for (Phase p : kAllPhases) {
    auto d = r.duration(p);
    if (!d) continue;
    bool failed = r.phase == p;
    out += fmt::format("  {:<16} {:>10}  {}{}\n", to_string(p), ms(*d), phase_detail(p, r, s),
                       failed ? "  ✗" : "");
  }
  if (r.tls.version.size() && r.ok()) {
    out += fmt::format("  {:<16} {:>10}  peer ended with {}\n", "close", ms(r.close_duration),
                       r.peer_close == PeerClose::kNotSeen ? "no close seen"
                                                           : std::string(to_string(r.peer_close)));
  }
  out += fmt::format("outcome: {}{}\n", to_string(r.outcome),
                     r.phase ? fmt::format(" (phase {})", to_string(*r.phase)) : "");
  out += fmt::format("diagnosis: {}\n", r.diagnosis);
  return out;
}

}  // namespace proxywatch
