// The sentences of tls_sentences.h, each with what to check next.
#include "common/probe/tls_sentences.h"

#include <ctime>

#include <fmt/format.h>

namespace proxywatch {
namespace {

std::string utc_date(std::int64_t epoch) {
  auto t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d", &tm);
  return text;
}

std::string status_line(const TunnelAnswer& a) {
  if (a.status == 0) return "an HTTP answer whose head could not be read";
  return fmt::format("\"HTTP/{}.{} {} {}\"", a.version / 10, a.version % 10, a.status, a.reason);
}

std::string tunnel_answer(const TunnelAnswer& a, const ProbeSpec& s) {
  std::string location = a.location.empty() ? "" : fmt::format(" to {}", a.location);
  std::string server = a.server.empty() ? "" : fmt::format(" [Server: {}]", a.server);
  return fmt::format(
      "The proxy opened the tunnel to {}, but {}{}{} came back where the TLS ServerHello "
      "belonged: the proxy or a device in its path (a block page, a captive portal) answered "
      "instead of the destination.",
      s.target.to_string(), status_line(a), location, server);
}

std::string port_speaks_tls(const ProbeSpec& s) {
  return fmt::format(
      "The proxy port {} speaks TLS: an HTTPS proxy, or the wrong port? FMC speaks plain HTTP "
      "to its proxy; configure the proxy's plain HTTP port.",
      s.proxy.to_string());
}

std::string closed_on_client_hello(const ProbeSpec& s) {
  std::string sni = is_ip_literal(s.target.host) ? std::string("(no SNI: an IP address)")
                                                 : "for SNI " + s.target.host;
  return fmt::format(
      "The proxy closed the tunnel to {} with FIN right after our ClientHello {}, without a "
      "ServerHello: SNI-based filtering by the proxy or a device in its path is the usual "
      "cause.",
      s.target.to_string(), sni);
}

std::string out_of_date(const TlsInfo& tls, const ProbeSpec& s) {
  if (tls.date_fault == CertDateFault::kExpired && tls.not_after) {
    return fmt::format(
        "The certificate of {} expired on {} (UTC) (issuer \"{}\", which is trusted): the "
        "origin serves an outdated certificate, or the appliance's clock is wrong.",
        s.target.to_string(), utc_date(*tls.not_after), tls.issuer);
  }
  if (tls.not_before) {
    return fmt::format(
        "The certificate of {} is not valid before {} (UTC) (issuer \"{}\", which is trusted): "
        "check the appliance's clock (NTP).",
        s.target.to_string(), utc_date(*tls.not_before), tls.issuer);
  }
  return fmt::format("The certificate of {} is outside its validity period ({}).",
                     s.target.to_string(), tls.verify_error);
}

}  // namespace

std::optional<std::string> named_answer_sentence(const ProbeResult& r, const ProbeSpec& s) {
  if (r.tunnel_answer) return tunnel_answer(*r.tunnel_answer, s);
  if (r.proxy_speaks_tls && r.outcome == Outcome::kProxyProtocolError) return port_speaks_tls(s);
  if (r.outcome == Outcome::kTlsVerifyFailed && r.tls.date_fault != CertDateFault::kNone) {
    return out_of_date(r.tls, s);
  }
  // Nothing at all came back: not one record, not even an alert.
  if (r.outcome == Outcome::kTlsFailed && r.peer_close == PeerClose::kFin &&
      r.tls.records_received == 0u) {
    return closed_on_client_hello(s);
  }
  return std::nullopt;
}

}  // namespace proxywatch
