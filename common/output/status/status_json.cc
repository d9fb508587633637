// The status snapshot to and from JSON (Boost.JSON). Reading uses the checked accessors, which
// throw on a wrong kind or a missing key; status_from_json turns that into its error.
#include "common/output/status/status_json.h"

#include <stdexcept>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "common/output/json/history_json.h"
#include "common/output/json/json_fields.h"
#include "common/output/status/diagnosis_advice.h"

namespace proxywatch {
namespace {

namespace json = boost::json;

constexpr std::string_view kFormat = "proxywatch-status";
constexpr std::int64_t kVersion = 1;

json::object smoke_json(const SmokePoint& p) {
  return {{"at_unix_ms", json_unix_ms(p.at)},
          {"probes", p.probes},
          {"failed", p.failed},
          {"low_us", micros_or_null(p.low)},
          {"median_us", micros_or_null(p.median)},
          {"high_us", micros_or_null(p.high)}};
}

json::value capture_json(const std::optional<CaptureLink>& c) {
  if (!c) return nullptr;
  return json::object{
      {"file", c->file},       {"url", capture_href(c->file)}, {"at_unix_ms", json_unix_ms(c->at)},
      {"outcome", c->outcome}, {"reading", c->reading},        {"timeline", c->timeline}};
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
  for (const Sample& s : t.probes) probes.push_back(sample_json(s));
  json::array smoke;
  for (const SmokePoint& p : t.smoke) smoke.push_back(smoke_json(p));
  return {{"name", t.name},
          {"destination", t.destination},
          {"service", to_string(t.service)},
          {"expect", t.expect_denied ? "denied" : "ok"},
          {"health", to_string(t.health)},
          {"health_since_unix_ms", time_or_null(t.health_since)},
          {"consecutive_failures", t.consecutive_failures},
          {"confirming", t.confirming},
          {"last_diagnosis", t.last_diagnosis},
          {"mtu_verdict", t.last_mtu ? json::value(to_string(*t.last_mtu)) : json::value()},
          {"diagnoses", std::move(diagnoses)},
          {"probes", std::move(probes)},
          {"smoke", std::move(smoke)},
          {"capture", capture_json(t.capture)}};
}

// --- reading ---

SmokePoint read_smoke(const json::object& o) {
  return SmokePoint{.at = json_time(o.at("at_unix_ms")),
                    .probes = json_count(o, "probes"),
                    .failed = json_count(o, "failed"),
                    .low = json_seconds(o.at("low_us")),
                    .median = json_seconds(o.at("median_us")),
                    .high = json_seconds(o.at("high_us"))};
}

TargetStatus read_target(const json::object& o) {
  TargetStatus t{.name = json_text(o, "name"), .destination = json_text(o, "destination")};
  t.expect_denied = json_text(o, "expect") == "denied";
  // A daemon older than the service field, or a service this reader does not know: custom.
  if (const json::value* service = o.if_contains("service"); service && service->is_string()) {
    t.service = service_from_string(service->as_string()).value_or(Service::kCustom);
  }
  std::string health = json_text(o, "health");
  t.health = json_named(health_state_from_string(health), "health state", health);
  t.health_since = json_optional_time(o.at("health_since_unix_ms"));
  t.consecutive_failures = json_count(o, "consecutive_failures");
  if (const json::value* c = o.if_contains("confirming")) t.confirming = c->as_bool();
  t.last_diagnosis = json_text(o, "last_diagnosis");
  if (!o.at("mtu_verdict").is_null()) {
    std::string verdict = json_text(o, "mtu_verdict");
    t.last_mtu = json_named(mtu_verdict_from_string(verdict), "MTU verdict", verdict);
  }
  for (const json::value& v : o.at("diagnoses").as_array()) {
    const json::object& d = v.as_object();
    std::string name = json_text(d, "name");
    t.diagnoses.push_back(TargetDiagnosis{
        json_named(diagnosis_from_string(name), "diagnosis", name),
        json_time(d.at("since_unix_ms")), evidence_from_json(d.at("evidence").as_object())});
  }
  for (const json::value& v : o.at("probes").as_array())
    t.probes.push_back(sample_from_json(v.as_object()));
  for (const json::value& v : o.at("smoke").as_array())
    t.smoke.push_back(read_smoke(v.as_object()));
  // A daemon older than captures writes none.
  if (const json::value* c = o.if_contains("capture"); c && !c->is_null()) {
    const json::object& capture = c->as_object();
    t.capture = CaptureLink{.file = json_text(capture, "file"),
                            .at = json_time(capture.at("at_unix_ms")),
                            .outcome = json_text(capture, "outcome"),
                            .reading = json_text(capture, "reading"),
                            .timeline = json_text(capture, "timeline")};
  }
  return t;
}

StatusSnapshot read_snapshot(const json::object& root) {
  const json::value* format = root.if_contains("format");
  if (!format || !format->is_string() || std::string_view(format->get_string()) != kFormat) {
    json_bad("not a proxywatch status document");
  }
  StatusSnapshot s{.version = json_text(root, "proxywatch"),
                   .generated = json_time(root.at("generated_unix_ms"))};
  s.proxy = root.at("proxy").is_null() ? "" : json_text(root, "proxy");
  const json::object& file = root.at("proxy_file").as_object();
  s.proxy_file = json_text(file, "path");
  s.proxy_file_valid = file.at("valid").as_bool();
  s.proxy_file_changed = json_optional_time(file.at("changed_unix_ms"));
  for (const json::value& v : root.at("targets").as_array()) {
    s.targets.push_back(read_target(v.as_object()));
  }
  // Absent from documents of daemons before it: none counted.
  if (const json::value* local = root.if_contains("local_errors")) {
    for (std::size_t i = 0; i < kAllLocalReasons.size(); ++i) {
      const json::value* n = local->as_object().if_contains(to_string(kAllLocalReasons[i]));
      if (n) s.local_errors[i] = n->to_number<std::uint64_t>();
    }
  }
  return s;
}

}  // namespace

json::value to_json(const StatusSnapshot& s) {
  json::array targets;
  for (const TargetStatus& t : s.targets) targets.push_back(target_json(t));
  json::object local_errors;
  for (std::size_t i = 0; i < kAllLocalReasons.size(); ++i) {
    local_errors[to_string(kAllLocalReasons[i])] = s.local_errors[i];
  }
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
      {"local_errors", std::move(local_errors)},
      {"targets", std::move(targets)}};
}

Result<StatusSnapshot> status_from_json(std::string_view text) {
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
