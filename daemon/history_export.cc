// The history as JSON and CSV.
#include "daemon/history_export.h"

#include <ctime>

#include <fmt/format.h>
#include <boost/json/array.hpp>

#include "common/output/json/history_json.h"
#include "common/output/json/json_fields.h"

namespace proxywatch {
namespace {

namespace json = boost::json;

json::value history_tcp_json(const std::optional<TcpInfo>& info) {
  if (!info) return nullptr;
  return json::object{{"rtt_us", info->rtt_us},           {"rttvar_us", info->rttvar_us},
                      {"retransmits", info->retransmits}, {"snd_mss", info->snd_mss},
                      {"rcv_mss", info->rcv_mss},         {"pmtu", info->pmtu}};
}

std::int64_t probe_total_us(const ProbeRecord& p) {
  return json_micros(Seconds(p.total_seconds()));
}

json::array history_health_array(const std::vector<HealthInterval>& intervals) {
  json::array out;
  for (const HealthInterval& h : intervals) {
    out.push_back(json::object{{"proxy", h.proxy},
                               {"target", h.target},
                               {"state", to_string(h.state)},
                               {"from_unix_ms", json_unix_ms(h.from)},
                               {"to_unix_ms", time_or_null(h.to)}});
  }
  return out;
}

json::array history_diagnosis_array(const std::vector<DiagnosisInterval>& intervals) {
  json::array out;
  for (const DiagnosisInterval& d : intervals) {
    out.push_back(json::object{{"proxy", d.proxy},
                               {"target", d.target},
                               {"diagnosis", to_string(d.diagnosis)},
                               {"from_unix_ms", json_unix_ms(d.from)},
                               {"to_unix_ms", time_or_null(d.to)},
                               {"evidence", evidence_json(d.evidence)},
                               {"cleared_why", or_null(d.cleared_why)}});
  }
  return out;
}

// One CSV field (RFC 4180 §2): quoted when it holds a comma, a quote or a line break.
std::string history_csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string history_optional_number(const std::optional<std::int64_t>& n) {
  return n ? std::to_string(*n) : "";
}

std::string history_csv_row(const ProbeRecord& p) {
  std::string row =
      fmt::format("{},{},{},{},{},{},{},{}", rfc3339_utc(p.at), json_unix_ms(p.at),
                  history_csv_field(p.proxy), history_csv_field(p.target), to_string(p.service),
                  to_string(p.outcome), p.phase ? to_string(*p.phase) : "", probe_total_us(p));
  for (const auto& us : p.phase_us) row += "," + history_optional_number(us);
  row += fmt::format(
      ",{},{},{},{},{},{},{}", p.connect_status ? std::to_string(p.connect_status) : "",
      p.http_status ? std::to_string(p.http_status) : "", p.bytes, to_string(p.peer_close),
      p.reset ? 1 : 0, history_csv_field(p.tls_version), history_csv_field(p.tls_issuer));
  row += p.tcp ? fmt::format(",{},{},{}", p.tcp->rtt_us, p.tcp->retransmits, p.tcp->pmtu) : ",,,";
  return row + "," + history_csv_field(p.diagnosis) + (p.confirmation ? ",1" : ",0") + "\r\n";
}

}  // namespace

std::string rfc3339_utc(WallTime at) {
  auto ms = std::chrono::floor<std::chrono::milliseconds>(at);
  std::time_t t =
      std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(ms));
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     ms.time_since_epoch().count() % 1000);
}

json::object probe_record_json(const ProbeRecord& p) {
  json::object phases;
  for (Phase phase : kAllPhases) {
    if (auto us = p.phase_us[static_cast<std::size_t>(phase)]) phases[to_string(phase)] = *us;
  }
  return {{"at_unix_ms", json_unix_ms(p.at)},
          {"proxy", p.proxy},
          {"target", p.target},
          {"service", to_string(p.service)},
          {"outcome", to_string(p.outcome)},
          {"ok", p.ok()},
          {"phase", p.phase ? json::value(to_string(*p.phase)) : json::value()},
          {"phases_us", std::move(phases)},
          {"total_us", probe_total_us(p)},
          {"connect_status", or_null(p.connect_status)},
          {"http_status", or_null(p.http_status)},
          {"bytes", p.bytes},
          {"peer_close", to_string(p.peer_close)},
          {"reset", p.reset},
          {"tls_version", or_null(p.tls_version)},
          {"tls_issuer", or_null(p.tls_issuer)},
          {"tcp", history_tcp_json(p.tcp)},
          {"diagnosis", or_null(p.diagnosis)},
          {"confirmation", p.confirmation}};
}

json::object history_json(const HistoryReport& report, std::size_t probe_limit) {
  const HistoryQuery& q = report.query;
  json::array probes;
  probes.reserve(report.probes.size());
  for (const ProbeRecord& p : report.probes) probes.push_back(probe_record_json(p));
  return {{"format", "proxywatch-history"},
          {"version", 1},
          {"proxywatch", PROXYWATCH_VERSION},
          {"from_unix_ms", json_unix_ms(q.from)},
          {"to_unix_ms", json_unix_ms(q.to)},
          {"proxy", or_null(q.proxy)},
          {"target", or_null(q.target)},
          {"service", q.service ? json::value(to_string(*q.service)) : json::value()},
          {"failures_only", q.failures_only},
          {"probe_limit", probe_limit},
          {"truncated", report.truncated},
          {"probes", std::move(probes)},
          {"health", history_health_array(report.health)},
          {"diagnoses", history_diagnosis_array(report.diagnoses)}};
}

std::string history_csv(const HistoryReport& report) {
  std::string csv = "at,at_unix_ms,proxy,target,service,outcome,phase,total_us";
  for (Phase phase : kAllPhases) csv += fmt::format(",{}_us", to_string(phase));
  csv +=
      ",connect_status,http_status,bytes,peer_close,reset,tls_version,tls_issuer,rtt_us,"
      "retransmits,pmtu,diagnosis,confirmation\r\n";
  for (const ProbeRecord& p : report.probes) csv += history_csv_row(p);
  return csv;
}

}  // namespace proxywatch
