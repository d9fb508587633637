// JSON output of a probe result.
#include "common/output/print/result_json.h"

#include <cmath>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace proxywatch {
namespace {

namespace json = boost::json;

json::value tcp_json(const std::optional<TcpInfo>& info) {
  if (!info) return nullptr;
  return json::object{{"rtt_us", info->rtt_us},           {"rttvar_us", info->rttvar_us},
                      {"retransmits", info->retransmits}, {"snd_mss", info->snd_mss},
                      {"rcv_mss", info->rcv_mss},         {"pmtu", info->pmtu}};
}

// The page a proxy sent with its answer, or null.
json::value answer_page_json(const std::optional<AnswerPage>& page) {
  if (!page) return nullptr;
  return json::object{{"content_type", or_null(page->content_type)},
                      {"title", or_null(page->title)},
                      {"bytes", page->bytes}};
}

// squid's error page name and the number after it, or null.
json::value squid_error_json(const ProbeResult& r) {
  if (r.squid_error.empty()) return nullptr;
  return json::object{{"code", r.squid_error}, {"detail", r.squid_error_detail}};
}

json::value tls_json(const TlsInfo& tls) {
  json::value not_before = tls.not_before ? json::value(*tls.not_before) : json::value();
  json::value not_after = tls.not_after ? json::value(*tls.not_after) : json::value();
  return json::object{{"version", or_null(tls.version)},
                      {"cipher", or_null(tls.cipher)},
                      {"subject", or_null(tls.subject)},
                      {"issuer", or_null(tls.issuer)},
                      {"not_before", not_before},
                      {"not_after", not_after},
                      {"verify_error", or_null(tls.verify_error)},
                      {"date_fault", to_string(tls.date_fault)}};
}

// The HTTP answer that came through the tunnel where the ServerHello belonged; null if none.
json::value tunnel_answer_json(const std::optional<TunnelAnswer>& answer) {
  if (!answer) return nullptr;
  return json::object{{"status", answer->status},
                      {"reason", or_null(answer->reason)},
                      {"location", or_null(answer->location)},
                      {"server", or_null(answer->server)}};
}

// How the probe answered the proxy's 407s; null when it sent no credentials.
json::value auth_json(const ProbeResult& r) {
  if (r.auth_scheme.empty()) return nullptr;
  return json::object{{"scheme", r.auth_scheme},
                      {"attempts", r.auth_attempts},
                      {"stale_retry", r.auth_stale_retry},
                      {"stale_loop", r.auth_stale_loop},
                      {"reconnects", r.auth_reconnects}};
}

json::object phases_json(const ProbeResult& r) {
  json::object phases;
  for (Phase p : kAllPhases) {
    if (auto d = r.duration(p)) phases[to_string(p)] = json_micros(*d);
  }
  return phases;
}

// What one of the MTU probes leaves as evidence: how it ended and what TCP saw.
json::object mtu_probe_json(const ProbeResult& r) {
  json::value phase = r.phase ? json::value(to_string(*r.phase)) : json::value();
  return json::object{
      {"outcome", to_string(r.outcome)},  {"phase", phase},
      {"total_us", json_micros(r.total)}, {"tcp_after_connect", tcp_json(r.tcp_after_connect)},
      {"tcp", tcp_json(r.tcp())},         {"peer_close", to_string(r.peer_close)},
      {"error", or_null(r.error)}};
}

}  // namespace

json::value to_json(const MtuReport& report, const ProbeSpec& spec) {
  json::value value = to_json(report.normal, spec);
  value.as_object()["mtu"] = json::object{
      {"normal", to_string(report.normal.outcome)},
      {"clamped", to_string(report.clamped.outcome)},
      {"padded", to_string(report.padded.outcome)},
      {"verdict", to_string(report.verdict)},
      {"clamp_mss", report.clamp_mss},
      {"padded_hello_bytes", report.padded_hello_bytes},
      {"diagnosis", report.diagnosis},
      {"probes", json::object{{"normal", mtu_probe_json(report.normal)},
                              {"clamped", mtu_probe_json(report.clamped)},
                              {"padded", mtu_probe_json(report.padded)}}},
  };
  return value;
}

json::value to_json(const ProbeResult& r, const ProbeSpec& s) {
  json::array schemes;
  for (const auto& scheme : r.auth_schemes) schemes.emplace_back(scheme);
  json::value phase = r.phase ? json::value(to_string(*r.phase)) : json::value();
  json::value content_length = r.content_length ? json::value(*r.content_length) : json::value();
  return json::object{
      {"proxy", s.proxy.to_string()},
      {"proxy_address", or_null(r.proxy_address)},
      {"target", s.target_text()},
      {"scheme", s.plain_http() ? "http" : "https"},
      {"expect", s.expect_denied ? "denied" : "ok"},
      {"outcome", to_string(r.outcome)},
      {"phase", phase},
      {"ok", r.ok()},
      {"phases_us", phases_json(r)},
      {"close_us", json_micros(r.close_duration)},
      {"total_us", json_micros(r.total)},
      {"started_unix_ms", json_unix_ms(r.started)},
      {"connect_status", or_null(r.connect_status)},
      {"connect_reason", or_null(r.connect_reason)},
      {"error_source", or_null(r.error_source)},
      {"squid_error", squid_error_json(r)},
      {"answer_page", answer_page_json(r.answer_page)},
      {"auth_schemes", std::move(schemes)},
      {"auth", auth_json(r)},
      {"proxy_speaks_tls", r.proxy_speaks_tls},
      {"tls", tls_json(r.tls)},
      {"tunnel_answer", tunnel_answer_json(r.tunnel_answer)},
      {"http_status", or_null(r.http_status)},
      {"location", or_null(r.location)},
      {"bytes", r.bytes},
      {"content_length", content_length},
      {"throughput_bytes_per_second", std::llround(r.throughput_bytes_per_s)},
      {"tcp", tcp_json(r.tcp())},
      {"tcp_after_connect", tcp_json(r.tcp_after_connect)},
      {"peer_close", to_string(r.peer_close)},
      {"error", or_null(r.error)},
      {"diagnosis", r.diagnosis},
  };
}

}  // namespace proxywatch
