// The status snapshot to and from JSON (Boost.JSON). Reading uses the checked accessors, which
// throw on a wrong kind or a missing key; status_from_json turns that into its error.
#include "common/output/status_json.h"

#include "common/output/state_file.h"

#include <stdexcept>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "common/output/diagnosis_advice.h"
#include "common/output/result_json.h"

namespace proxywatch {
namespace {

namespace json = boost::json;

constexpr std::string_view kFormat = "proxywatch-status";
constexpr std::int64_t kVersion = 1;

json::value time_or_null(const std::optional<WallTime>& at) {
  return at ? json::value(json_unix_ms(*at)) : json::value();
}

json::value us_or_null(const std::optional<double>& seconds) {
  return seconds ? json::value(json_micros(Seconds(*seconds))) : json::value();
}

json::object probe_json(const Sample& s) {
  json::object phases;
  for (Phase p : kAllPhases) {
    if (auto d = s.phase_seconds[static_cast<std::size_t>(p)]) {
      phases[to_string(p)] = json_micros(Seconds(*d));
    }
  }
  return {{"at_unix_ms", json_unix_ms(s.at)},
          {"outcome", to_string(s.outcome)},
          {"phase", s.phase ? json::value(to_string(*s.phase)) : json::value()},
          {"reset", s.reset},
          {"phases_us", std::move(phases)},
          {"total_us", json_micros(Seconds(total_seconds(s)))}};
}

json::object smoke_json(const SmokePoint& p) {
  return {{"at_unix_ms", json_unix_ms(p.at)},
          {"probes", p.probes},
          {"failed", p.failed},
          {"low_us", us_or_null(p.low)},
          {"median_us", us_or_null(p.median)},
          {"high_us", us_or_null(p.high)}};
}

json::object target_json(const TargetStatus& t) {
  json::array diagnoses;
  for (const TargetDiagnosis& d : t.diagnoses) {
    DiagnosisAdvice advice = diagnosis_advice(d.diagnosis);
    diagnoses.push_back(json::object{{"name", to_string(d.diagnosis)},
                                     {"since_unix_ms", json_unix_ms(d.since)},
                                     {"evidence", evidence_json(d.evidence)},
                                     {"means", advice.means},
                                     {"check_next", advice.check_next}});
  }
  json::array probes;
  for (const Sample& s : t.probes) probes.push_back(probe_json(s));
  json::array smoke;
  for (const SmokePoint& p : t.smoke) smoke.push_back(smoke_json(p));
  return {{"name", t.name},
          {"destination", t.destination},
          {"expect", t.expect_denied ? "denied" : "ok"},
          {"health", to_string(t.health)},
          {"health_since_unix_ms", time_or_null(t.health_since)},
          {"consecutive_failures", t.consecutive_failures},
          {"last_diagnosis", t.last_diagnosis},
          {"mtu_verdict", t.last_mtu ? json::value(to_string(*t.last_mtu)) : json::value()},
          {"diagnoses", std::move(diagnoses)},
          {"probes", std::move(probes)},
          {"smoke", std::move(smoke)}};
}

// --- reading ---

[[noreturn]] void bad(const std::string& what) {
  throw std::runtime_error(what);
}

template <class T>
T named(std::optional<T> value, std::string_view kind, std::string_view name) {
  if (!value) bad(fmt::format("unknown {} '{}'", kind, name));
  return *value;
}

std::string text(const json::object& o, std::string_view key) {
  return std::string(o.at(key).as_string());
}

std::uint32_t count(const json::object& o, std::string_view key) {
  return json::value_to<std::uint32_t>(o.at(key));
}

WallTime read_time(const json::value& v) {
  return WallTime(std::chrono::duration_cast<WallTime::duration>(
      std::chrono::milliseconds(v.to_number<std::int64_t>())));
}

std::optional<WallTime> read_optional_time(const json::value& v) {
  if (v.is_null()) return std::nullopt;
  return read_time(v);
}

std::optional<double> read_us(const json::value& v) {
  if (v.is_null()) return std::nullopt;
  return static_cast<double>(v.to_number<std::int64_t>()) / 1e6;
}

Evidence read_evidence(const json::object& o) {
  return Evidence{.summary = text(o, "summary"),
                  .window_probes = count(o, "window_probes"),
                  .matching_probes = count(o, "matching_probes"),
                  .outcomes = text(o, "outcomes"),
                  .phases = text(o, "phases"),
                  .cert_subject = text(o, "cert_subject"),
                  .cert_issuer = text(o, "cert_issuer"),
                  .expected_issuer = text(o, "expected_issuer"),
                  .verify_error = text(o, "verify_error"),
                  .mtu_direction = text(o, "mtu_direction"),
                  .mtu_detail = text(o, "mtu_detail")};
}

Sample read_probe(const json::object& o) {
  Sample s;
  s.at = read_time(o.at("at_unix_ms"));
  std::string outcome = text(o, "outcome");
  s.outcome = named(outcome_from_string(outcome), "outcome", outcome);
  if (!o.at("phase").is_null()) {
    std::string phase = text(o, "phase");
    s.phase = named(phase_from_string(phase), "phase", phase);
  }
  s.reset = o.at("reset").as_bool();
  for (const auto& [name, us] : o.at("phases_us").as_object()) {
    Phase p = named(phase_from_string(name), "phase", name);
    s.phase_seconds[static_cast<std::size_t>(p)] = read_us(us);
  }
  return s;
}

SmokePoint read_smoke(const json::object& o) {
  return SmokePoint{.at = read_time(o.at("at_unix_ms")),
                    .probes = count(o, "probes"),
                    .failed = count(o, "failed"),
                    .low = read_us(o.at("low_us")),
                    .median = read_us(o.at("median_us")),
                    .high = read_us(o.at("high_us"))};
}

TargetStatus read_target(const json::object& o) {
  TargetStatus t{.name = text(o, "name"), .destination = text(o, "destination")};
  t.expect_denied = text(o, "expect") == "denied";
  std::string health = text(o, "health");
  t.health = named(health_state_from_string(health), "health state", health);
  t.health_since = read_optional_time(o.at("health_since_unix_ms"));
  t.consecutive_failures = count(o, "consecutive_failures");
  t.last_diagnosis = text(o, "last_diagnosis");
  if (!o.at("mtu_verdict").is_null()) {
    std::string verdict = text(o, "mtu_verdict");
    t.last_mtu = named(mtu_verdict_from_string(verdict), "MTU verdict", verdict);
  }
  for (const json::value& v : o.at("diagnoses").as_array()) {
    const json::object& d = v.as_object();
    std::string name = text(d, "name");
    t.diagnoses.push_back(TargetDiagnosis{named(diagnosis_from_string(name), "diagnosis", name),
                                          read_time(d.at("since_unix_ms")),
                                          read_evidence(d.at("evidence").as_object())});
  }
  for (const json::value& v : o.at("probes").as_array())
    t.probes.push_back(read_probe(v.as_object()));
  for (const json::value& v : o.at("smoke").as_array())
    t.smoke.push_back(read_smoke(v.as_object()));
  return t;
}

StatusSnapshot read_snapshot(const json::object& root) {
  const json::value* format = root.if_contains("format");
  if (!format || !format->is_string() || std::string_view(format->get_string()) != kFormat) {
    bad("not a proxywatch status document");
  }
  StatusSnapshot s{.version = text(root, "proxywatch"),
                   .generated = read_time(root.at("generated_unix_ms"))};
  s.proxy = root.at("proxy").is_null() ? "" : text(root, "proxy");
  const json::object& file = root.at("proxy_file").as_object();
  s.proxy_file = text(file, "path");
  s.proxy_file_valid = file.at("valid").as_bool();
  s.proxy_file_changed = read_optional_time(file.at("changed_unix_ms"));
  for (const json::value& v : root.at("targets").as_array()) {
    s.targets.push_back(read_target(v.as_object()));
  }
  return s;
}

}  // namespace

json::value to_json(const StatusSnapshot& s) {
  json::array targets;
  for (const TargetStatus& t : s.targets) targets.push_back(target_json(t));
  return json::object{
      {"format", kFormat},
      {"version", kVersion},
      {"proxywatch", s.version},
      {"generated_unix_ms", json_unix_ms(s.generated)},
      {"proxy", s.proxy.empty() ? json::value() : json::value(s.proxy)},
      {"proxy_file", json::object{{"path", s.proxy_file},
                                  {"valid", s.proxy_file_valid},
                                  {"changed_unix_ms", time_or_null(s.proxy_file_changed)}}},
      {"all_healthy", s.all_healthy()},
      {"targets", std::move(targets)}};
}

TextResult<StatusSnapshot> status_from_json(std::string_view text) {
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec) return error_text("not JSON: " + ec.message());
  try {
    return read_snapshot(parsed.as_object());
  } catch (const std::exception& e) {
    return error_text(std::string("unexpected status document: ") + e.what());
  }
}

}  // namespace proxywatch
