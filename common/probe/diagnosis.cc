// Diagnosis sentences, one per outcome. diagnose() dispatches with one switch over Outcome and
// no `default:`, so -Wswitch names the sentence a new outcome is missing.
#include "common/probe/diagnosis.h"

#include <fmt/format.h>

#include "common/probe/squid_error.h"
#include "common/probe/tls_sentences.h"

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

// What was asked of the proxy: "CONNECT host:443", or "GET http://host/path" for a plain-HTTP
// target.
std::string request_text(const ProbeSpec& s) {
  if (s.plain_http()) return fmt::format("{} {}", s.request->method, s.absolute_uri());
  return fmt::format("CONNECT {}", s.target.to_string());
}

// The deadline of the proxy's answer: proxy_connect for CONNECT, http_first_byte for a
// plain-HTTP request.
Millis answer_timeout(const ProbeSpec& s) {
  return s.plain_http() ? s.timeouts.http_first_byte : s.timeouts.proxy_connect;
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

std::string ok_plain_http(const ProbeResult& r, const ProbeSpec& s) {
  if (s.expect_denied) {
    return fmt::format("The proxy refused to forward {} as its ACL should ({}).", request_text(s),
                       answer(r));
  }
  return fmt::format("The proxy forwarded {} and the origin answered {} after {} body bytes.",
                     request_text(s), r.http_status, r.bytes);
}

std::string ok_sentence(const ProbeResult& r, const ProbeSpec& s) {
  if (s.plain_http()) return ok_plain_http(r, s);
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

// Reaching the proxy: its name, the TCP handshake.

std::string dns_failed(const ProbeResult& r, const ProbeSpec& s) {
  return fmt::format(
      "The proxy name {} does not resolve ({}); check the appliance's DNS "
      "settings or configure the proxy by IP address.",
      s.proxy.host, r.error);
}

// proxywatch's own limits, not the proxy's (common/local_errors.h).
std::string local_error(const ProbeResult& r) {
  return fmt::format(
      "proxywatch could not open a socket ({}): its own descriptor or memory limit, not the "
      "proxy; this probe says nothing about the proxy. Raise LimitNOFILE or lower the number "
      "of targets.",
      r.error);
}

std::string tcp_refused(const ProbeResult& r, const ProbeSpec& s) {
  return fmt::format(
      "Nothing accepts connections on {} ({}): the proxy is down, or the "
      "host or port is wrong.",
      s.proxy.to_string(), r.error);
}

std::string tcp_timeout(const ProbeSpec& s) {
  return fmt::format(
      "{} did not complete the TCP handshake within {}: a firewall drops "
      "the packets or the proxy host is down.",
      s.proxy.to_string(), secs(s.timeouts.tcp_connect));
}

// The proxy's own answer (to CONNECT, or to a plain-HTTP request). When squid named its error
// page (X-Squid-Error) and the table knows the page, the sentence says what the page means and
// what to check for it; otherwise it quotes the answer with its source as it came, and the
// title of the page that came with it.

// squid's page of the answer, when the table knows it.
const SquidError* squid_page(const ProbeResult& r) {
  return r.squid_error.empty() ? nullptr : find_squid_error(r.squid_error);
}

// "503 Service Unavailable, squid ERR_DNS_FAIL: it cannot resolve the destination's name".
std::string squid_answer(const ProbeResult& r) {
  return fmt::format("{} {}, squid {}: {}", r.connect_status, r.connect_reason, r.squid_error,
                     squid_error_meaning(r.squid_error, r.squid_error_detail));
}

// The answer as it came, with the title of its page: `502 Bad Gateway [Server: x]; page "T"`.
std::string quoted_answer(const ProbeResult& r) {
  bool titled = r.answer_page && !r.answer_page->title.empty();
  return answer(r) + (titled ? fmt::format("; page \"{}\"", r.answer_page->title) : "");
}

std::string proxy_denied(const ProbeResult& r, const ProbeSpec& s) {
  if (const SquidError* page = squid_page(r)) {
    std::string refused =
        s.plain_http() ? "to forward " + request_text(s) : "the tunnel to " + s.target.to_string();
    return fmt::format("The proxy refused {} ({}); check {}.", refused, squid_answer(r),
                       page->check);
  }
  if (s.plain_http()) {
    return fmt::format(
        "The proxy refused to forward {} with {}: its ACL blocks this destination, port or "
        "method for plain HTTP (squid: http_access, Safe_ports); allow it on the proxy.",
        request_text(s), quoted_answer(r));
  }
  return fmt::format(
      "The proxy refused the tunnel to {} with {}: its ACL blocks this "
      "destination; allow it on the proxy.",
      s.target.to_string(), quoted_answer(r));
}

std::string proxy_upstream_failed(const ProbeResult& r, const ProbeSpec& s) {
  if (const SquidError* page = squid_page(r)) {
    return fmt::format("The proxy could not reach {} ({}); check {}.", s.target_text(),
                       squid_answer(r), page->check);
  }
  return fmt::format(
      "The proxy could not reach {} ({}): its own connection to the destination or its DNS "
      "failed; check the proxy's log, its DNS and its route to the destination.",
      s.target_text(), quoted_answer(r));
}

std::string proxy_unavailable(const ProbeResult& r, const ProbeSpec& s) {
  if (const SquidError* page = squid_page(r)) {
    return fmt::format("The proxy cannot serve {} now ({}); check {}.", s.target_text(),
                       squid_answer(r), page->check);
  }
  return fmt::format(
      "The proxy answered {} with {}: it is overloaded or out of service; check its load and "
      "its log.",
      request_text(s), quoted_answer(r));
}

std::string proxy_error(const ProbeResult& r, const ProbeSpec& s) {
  std::string location = r.location.empty() ? "" : fmt::format(" (Location: {})", r.location);
  if (const SquidError* page = squid_page(r)) {
    return fmt::format("The proxy answered {} with an error ({}){}; check {}.", request_text(s),
                       squid_answer(r), location, page->check);
  }
  return fmt::format("The proxy answered {} with {}{}; check the proxy's log for why.",
                     request_text(s), quoted_answer(r), location);
}

std::string proxy_stalled(const ProbeSpec& s) {
  return fmt::format("The proxy accepted the connection but did not answer {} within {}.",
                     request_text(s), secs(answer_timeout(s)));
}

std::string proxy_closed(const ProbeResult& r, const ProbeSpec& s) {
  return fmt::format("The proxy {} the connection before answering {}.", closed_by(r),
                     request_text(s));
}

std::string proxy_protocol_error(const ProbeResult& r, const ProbeSpec& s) {
  if (r.answer_page && r.connect_status / 100 == 2) {
    const AnswerPage& page = *r.answer_page;
    std::string type = page.content_type.empty() ? "no Content-Type" : page.content_type;
    std::string title = page.title.empty() ? "" : fmt::format(", title \"{}\"", page.title);
    return fmt::format(
        "The proxy answered {} with {} {} and a page ({}{}, {} bytes read) instead of opening "
        "the tunnel: a block page or a captive portal; check the proxy's URL filtering or "
        "portal rules for the FMC.",
        request_text(s), r.connect_status, r.connect_reason, type, title, page.bytes);
  }
  return fmt::format("The proxy's answer to {} is not valid HTTP ({}).", request_text(s), r.error);
}

std::string tunnel_not_denied(const ProbeResult& r, const ProbeSpec& s) {
  if (s.plain_http()) {
    return fmt::format(
        "The proxy forwarded {} (the origin answered {}), which its ACL should deny: the ACL "
        "is no longer enforced for plain HTTP.",
        request_text(s), r.http_status);
  }
  return fmt::format(
      "The proxy opened a tunnel to {}, which its ACL should deny: the ACL "
      "is no longer enforced.",
      s.target.to_string());
}

// Proxy authentication (407).

std::string auth_required(const ProbeResult& r) {
  return fmt::format(
      "The proxy demands authentication ({}; offers {}) but no proxy "
      "credentials are configured.",
      answer(r), schemes(r));
}

std::string auth_failed(const ProbeResult& r, const ProbeSpec& s) {
  if (r.auth_stale_loop) {
    return fmt::format(
        "The proxy answered {} with Digest stale=true again right after the retry with its own "
        "fresh nonce ({}): it rejects the nonces it issues, so the password was never judged; "
        "check the proxy's nonce lifetime and its clock (squid: auth_param digest "
        "nonce_max_duration, nonce_max_count).",
        request_text(s), answer(r));
  }
  return fmt::format(
      "The proxy rejected the credentials of user {} ({} after {} {}; offers {}): check "
      "the user name and password in the FMC proxy settings and on the proxy.",
      s.credentials ? s.credentials->user : std::string("?"), answer(r), r.auth_attempts,
      r.auth_scheme.empty() ? std::string("attempts") : r.auth_scheme + " attempt(s)", schemes(r));
}

std::string auth_unsupported(const ProbeResult& r) {
  return fmt::format(
      "The proxy offers only {} authentication, which the FMC cannot use "
      "(NTLM and Negotiate are not supported); offer Basic or Digest to the FMC.",
      schemes(r));
}

std::string auth_insecure(const ProbeResult& r) {
  return fmt::format(
      "The proxy offers only Basic authentication ({}), which sends the password in clear, "
      "and refuse_basic_auth is set: offer Digest on the proxy, or allow Basic.",
      schemes(r));
}

// The TLS handshake with the origin, through the tunnel.

std::string tls_reset(const ProbeSpec& s) {
  return fmt::format(
      "The connection was reset during the TLS handshake with {} after the "
      "tunnel opened: a device on the path resets large packets (MTU), or "
      "the proxy refuses TLS to this destination.",
      s.target.to_string());
}

std::string tls_stalled(const ProbeSpec& s) {
  return fmt::format(
      "The TLS handshake with {} did not finish within {}: large packets may "
      "be dropped on the path (MTU), or the proxy relays nothing.",
      s.target.to_string(), secs(s.timeouts.tls_handshake));
}

std::string tls_verify_failed(const ProbeResult& r, const ProbeSpec& s) {
  return fmt::format(
      "The certificate presented for {} does not verify ({}; issuer \"{}\"): "
      "an SSL-inspecting proxy, or a missing CA.",
      s.target.to_string(), r.tls.verify_error, r.tls.issuer);
}

std::string tls_failed(const ProbeResult& r, const ProbeSpec& s) {
  return fmt::format("The TLS handshake with {} failed ({}, connection {}).", s.target.to_string(),
                     r.error, closed_by(r));
}

// The HTTP request inside the tunnel and its download.

std::string http_stalled(const ProbeResult& r, const ProbeSpec& s) {
  std::string target = s.target_text();
  std::string of = r.content_length ? fmt::format(" of {}", *r.content_length) : "";
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
}

std::string http_incomplete(const ProbeResult& r, const ProbeSpec& s) {
  std::string target = s.target_text();
  if (r.answer_malformed) {
    return fmt::format(
        "{} sent a malformed HTTP answer after {} body bytes ({}): it cannot be read.", target,
        r.bytes, r.error);
  }
  std::string of = r.content_length ? fmt::format(" of {}", *r.content_length) : "";
  return fmt::format("The download from {} was {} after {}{} bytes: incomplete transfer.", target,
                     closed_by(r), r.bytes, of);
}

std::string http_error(const ProbeResult& r, const ProbeSpec& s) {
  if (s.plain_http()) {
    return fmt::format(
        "The origin answered {} with HTTP {} (relayed by the proxy, not its own refusal).",
        request_text(s), r.http_status);
  }
  return fmt::format("{} answered {} {} with HTTP {}.", s.target.to_string(), s.request->method,
                     s.request->path, r.http_status);
}

}  // namespace

std::string diagnose(const ProbeResult& r, const ProbeSpec& s) {
  // Answers the outcome alone would misname (an HTTP page in the tunnel, a TLS proxy port ...).
  if (auto named = named_answer_sentence(r, s)) return *named;
  switch (r.outcome) {
    case Outcome::kOk:
      return ok_sentence(r, s);
    case Outcome::kDnsFailed:
      return dns_failed(r, s);
    case Outcome::kTcpRefused:
      return tcp_refused(r, s);
    case Outcome::kTcpTimeout:
      return tcp_timeout(s);
    case Outcome::kProxyDenied:
      return proxy_denied(r, s);
    case Outcome::kProxyUpstreamFailed:
      return proxy_upstream_failed(r, s);
    case Outcome::kProxyUnavailable:
      return proxy_unavailable(r, s);
    case Outcome::kProxyError:
      return proxy_error(r, s);
    case Outcome::kProxyAuthRequired:
      return auth_required(r);
    case Outcome::kProxyAuthFailed:
      return auth_failed(r, s);
    case Outcome::kProxyAuthUnsupported:
      return auth_unsupported(r);
    case Outcome::kProxyAuthInsecure:
      return auth_insecure(r);
    case Outcome::kProxyStalled:
      return proxy_stalled(s);
    case Outcome::kProxyClosed:
      return proxy_closed(r, s);
    case Outcome::kProxyProtocolError:
      return proxy_protocol_error(r, s);
    case Outcome::kTlsReset:
      return tls_reset(s);
    case Outcome::kTlsStalled:
      return tls_stalled(s);
    case Outcome::kTlsFailed:
      return tls_failed(r, s);
    case Outcome::kTlsVerifyFailed:
      return tls_verify_failed(r, s);
    case Outcome::kHttpStalled:
      return http_stalled(r, s);
    case Outcome::kHttpIncomplete:
      return http_incomplete(r, s);
    case Outcome::kHttpError:
      return http_error(r, s);
    case Outcome::kTunnelNotDenied:
      return tunnel_not_denied(r, s);
    case Outcome::kLocalError:
      return local_error(r);
  }
  return proxy_error(r, s);  // not reached: the switch covers every outcome
}

}  // namespace proxywatch
