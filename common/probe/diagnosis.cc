// Diagnosis sentences, one per outcome.
#include "common/probe/diagnosis.h"

#include <fmt/format.h>

namespace proxywatch {
namespace {

std::string secs(Millis ms) {
  return fmt::format("{:g} s", static_cast<double>(ms.count()) / 1000);
}

std::string source_suffix(const ProbeResult& r) {
  return r.error_source.empty() ? "" : fmt::format(" [{}]", r.error_source);
}

std::string answer(const ProbeResult& r) {
  return fmt::format("{} {}{}", r.connect_status, r.connect_reason, source_suffix(r));
}

std::string schemes(const ProbeResult& r) {
  return r.auth_schemes.empty() ? "no scheme" : fmt::format("{}", fmt::join(r.auth_schemes, ", "));
}

std::string closed_by(const ProbeResult& r) {
  switch (r.peer_close) {
    case PeerClose::kRst:
      return "reset (RST)";
    case PeerClose::kFin:
      return "closed (FIN)";
    case PeerClose::kNotSeen:
      break;
  }
  return "closed";
}

std::string ok_sentence(const ProbeResult& r, const ProbeSpec& s) {
  std::string target = s.target.to_string();
  if (s.expect_denied) {
    return fmt::format("The proxy refused the tunnel to {} as its ACL should ({}).", target,
                       answer(r));
  }
  std::string http = !s.request
                         ? std::string()
                         : fmt::format("; {} {} answered {} after {} body bytes", s.request->method,
                                       s.request->path, r.http_status, r.bytes);
  return fmt::format("The proxy opened a tunnel to {} and the TLS handshake ({}) succeeded{}.",
                     target, r.tls.version, http);
}

std::string proxy_sentence(const ProbeResult& r, const ProbeSpec& s) {
  std::string target = s.target.to_string();
  switch (r.outcome) {
    case Outcome::kProxyDenied:
      return fmt::format(
          "The proxy refused the tunnel to {} with {}: its ACL blocks this "
          "destination; allow it on the proxy.",
          target, answer(r));
    case Outcome::kProxyUpstreamFailed:
      return fmt::format(
          "The proxy could not reach {} ({}): its own connection to the "
          "destination or its DNS failed.",
          target, answer(r));
    case Outcome::kProxyUnavailable:
      return fmt::format(
          "The proxy answered {} for {}: it is overloaded, or cannot reach the "
          "destination.",
          answer(r), target);
    case Outcome::kProxyAuthRequired:
      return fmt::format(
          "The proxy demands authentication ({}; offers {}) but no proxy "
          "credentials are configured.",
          answer(r), schemes(r));
    case Outcome::kProxyAuthFailed:
      return fmt::format(
          "The proxy rejected the credentials of user {} ({} after {} {}; offers {}): check "
          "the user name and password in the FMC proxy settings and on the proxy.",
          s.credentials ? s.credentials->user : std::string("?"), answer(r), r.auth_attempts,
          r.auth_scheme.empty() ? std::string("attempts") : r.auth_scheme + " attempt(s)",
          schemes(r));
    case Outcome::kProxyAuthUnsupported:
      return fmt::format(
          "The proxy offers only {} authentication, which the FMC cannot use "
          "(NTLM and Negotiate are not supported); offer Basic or Digest to the FMC.",
          schemes(r));
    case Outcome::kProxyAuthInsecure:
      return fmt::format(
          "The proxy offers only Basic authentication ({}), which sends the password in clear, "
          "and refuse_basic_auth is set: offer Digest on the proxy, or allow Basic.",
          schemes(r));
    case Outcome::kTunnelNotDenied:
      return fmt::format(
          "The proxy opened a tunnel to {}, which its ACL should deny: the ACL "
          "is no longer enforced.",
          target);
    default:
      return fmt::format("The proxy answered CONNECT {} with {}.", target, answer(r));
  }
}

std::string connect_sentence(const ProbeResult& r, const ProbeSpec& s) {
  std::string proxy = s.proxy.to_string();
  switch (r.outcome) {
    case Outcome::kDnsFailed:
      return fmt::format(
          "The proxy name {} does not resolve ({}); check the appliance's DNS "
          "settings or configure the proxy by IP address.",
          s.proxy.host, r.error);
    case Outcome::kTcpRefused:
      return fmt::format(
          "Nothing accepts connections on {} ({}): the proxy is down, or the "
          "host or port is wrong.",
          proxy, r.error);
    case Outcome::kTcpTimeout:
      return fmt::format(
          "{} did not complete the TCP handshake within {}: a firewall drops "
          "the packets or the proxy host is down.",
          proxy, secs(s.timeouts.tcp_connect));
    case Outcome::kProxyStalled:
      return fmt::format(
          "The proxy accepted the connection but did not answer CONNECT within "
          "{}.",
          secs(s.timeouts.proxy_connect));
    case Outcome::kProxyClosed:
      return fmt::format("The proxy {} the connection before answering CONNECT.", closed_by(r));
    case Outcome::kProxyProtocolError:
      return fmt::format("The proxy's answer to CONNECT is not valid HTTP ({}).", r.error);
    default:
      return proxy_sentence(r, s);
  }
}

std::string tls_sentence(const ProbeResult& r, const ProbeSpec& s) {
  std::string target = s.target.to_string();
  switch (r.outcome) {
    case Outcome::kTlsReset:
      return fmt::format(
          "The connection was reset during the TLS handshake with {} after the "
          "tunnel opened: a device on the path resets large packets (MTU), or "
          "the proxy refuses TLS to this destination.",
          target);
    case Outcome::kTlsStalled:
      return fmt::format(
          "The TLS handshake with {} did not finish within {}: large packets may "
          "be dropped on the path (MTU), or the proxy relays nothing.",
          target, secs(s.timeouts.tls_handshake));
    case Outcome::kTlsVerifyFailed:
      return fmt::format(
          "The certificate presented for {} does not verify ({}; issuer \"{}\"): "
          "an SSL-inspecting proxy, or a missing CA.",
          target, r.tls.verify_error, r.tls.issuer);
    default:
      return fmt::format("The TLS handshake with {} failed ({}, connection {}).", target, r.error,
                         closed_by(r));
  }
}

std::string http_sentence(const ProbeResult& r, const ProbeSpec& s) {
  std::string target = s.target.to_string();
  std::string of = r.content_length ? fmt::format(" of {}", *r.content_length) : "";
  switch (r.outcome) {
    case Outcome::kHttpStalled:
      if (r.phase == Phase::kHttpFirstByte) {
        return fmt::format("{} did not answer the HTTP request within {}.", target,
                           secs(s.timeouts.http_first_byte));
      }
      if (r.transfer_deadline_reached) {
        return fmt::format(
            "The download from {} did not finish within the transfer deadline ({}): {}{} bytes "
            "arrived and more were still arriving, so the transfer is too slow, not silent.",
            target, secs(s.timeouts.transfer), r.bytes, of);
      }
      return fmt::format(
          "The download from {} went silent after {}{} bytes (stall timeout {}): "
          "the transfer stalls.",
          target, r.bytes, of, secs(s.timeouts.stall));
    case Outcome::kHttpIncomplete:
      if (r.answer_malformed) {
        return fmt::format(
            "{} sent a malformed HTTP answer after {} body bytes ({}): it cannot be read.",
            target, r.bytes, r.error);
      }
      return fmt::format("The download from {} was {} after {}{} bytes: incomplete transfer.",
                         target, closed_by(r), r.bytes, of);
    default:
      return fmt::format("{} answered {} {} with HTTP {}.", target, s.request->method,
                         s.request->path, r.http_status);
  }
}

}  // namespace

std::string diagnose(const ProbeResult& r, const ProbeSpec& s) {
  if (r.ok()) return ok_sentence(r, s);
  switch (r.phase.value_or(Phase::kTransfer)) {
    case Phase::kTlsHandshake:
      return tls_sentence(r, s);
    case Phase::kHttpFirstByte:
    case Phase::kTransfer:
      return http_sentence(r, s);
    default:
      return connect_sentence(r, s);
  }
}

}  // namespace proxywatch
