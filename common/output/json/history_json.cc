// Evidence and samples to and from JSON.
#include "common/output/json/history_json.h"

#include "common/output/json/json_fields.h"

namespace proxywatch {

namespace json = boost::json;

json::object evidence_json(const Evidence& e) {
  return {{"summary", e.summary},
          {"window_probes", e.window_probes},
          {"matching_probes", e.matching_probes},
          {"outcomes", e.outcomes},
          {"phases", e.phases},
          {"cert_subject", e.cert_subject},
          {"cert_issuer", e.cert_issuer},
          {"expected_issuer", e.expected_issuer},
          {"verify_error", e.verify_error},
          {"mtu_direction", e.mtu_direction},
          {"mtu_detail", e.mtu_detail}};
}

Evidence evidence_from_json(const json::object& o) {
  return Evidence{.summary = json_text(o, "summary"),
                  .window_probes = json_count(o, "window_probes"),
                  .matching_probes = json_count(o, "matching_probes"),
                  .outcomes = json_text(o, "outcomes"),
                  .phases = json_text(o, "phases"),
                  .cert_subject = json_text(o, "cert_subject"),
                  .cert_issuer = json_text(o, "cert_issuer"),
                  .expected_issuer = json_text(o, "expected_issuer"),
                  .verify_error = json_text(o, "verify_error"),
                  .mtu_direction = json_text(o, "mtu_direction"),
                  .mtu_detail = json_text(o, "mtu_detail")};
}

json::object sample_json(const Sample& s) {
  json::object phases;
  for (Phase p : kAllPhases) {
    json::value us = micros_or_null(s.phase_seconds[static_cast<std::size_t>(p)]);
    if (!us.is_null()) phases[to_string(p)] = us;
  }
  return {{"at_unix_ms", json_unix_ms(s.at)},
          {"outcome", to_string(s.outcome)},
          {"phase", s.phase ? json::value(to_string(*s.phase)) : json::value()},
          {"reset", s.reset},
          {"phases_us", std::move(phases)},
          {"total_us", json_micros(Seconds(total_seconds(s)))},
          {"confirmation", s.confirmation}};
}

Sample sample_from_json(const json::object& o) {
  Sample s;
  s.at = json_time(o.at("at_unix_ms"));
  std::string outcome = json_text(o, "outcome");
  s.outcome = json_named(outcome_from_string(outcome), "outcome", outcome);
  if (!o.at("phase").is_null()) {
    std::string phase = json_text(o, "phase");
    s.phase = json_named(phase_from_string(phase), "phase", phase);
  }
  s.reset = o.at("reset").as_bool();
  // Written since confirmation probes exist; older state files have none.
  if (const json::value* c = o.if_contains("confirmation")) s.confirmation = c->as_bool();
  for (const auto& [name, us] : o.at("phases_us").as_object()) {
    Phase p = json_named(phase_from_string(name), "phase", name);
    s.phase_seconds[static_cast<std::size_t>(p)] = json_seconds(us);
  }
  return s;
}

}  // namespace proxywatch
