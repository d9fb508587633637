// The status page: header, one section per target (health, diagnoses with their advice, the
// timeline of the last probes, the latency chart), all escaped through html_escape.
#include "common/output/status/status_page.h"

#include <algorithm>
#include <array>
#include <iterator>

#include <fmt/format.h>

#include "common/escape.h"
#include "common/output/status/diagnosis_advice.h"
#include "common/output/status/history_page.h"

namespace proxywatch {
namespace {

using Out = std::back_insert_iterator<std::string>;

// The page's CSS: phases p0..p5 in kAllPhases order, failure-share classes f0..f3.
constexpr std::string_view kStyle = R"(
:root{color-scheme:light dark;--bg:#fafafa;--fg:#1d1d1f;--muted:#666;--card:#fff;--line:#ddd;
--ok:#2e7d32;--warn:#b26a00;--bad:#c62828;--unk:#757575;--smoke:#bdbdbd}
@media(prefers-color-scheme:dark){:root{--bg:#151515;--fg:#e8e8e8;--muted:#a0a0a0;--card:#202020;
--line:#3a3a3a;--ok:#66bb6a;--warn:#ffb74d;--bad:#ef5350;--unk:#9e9e9e;--smoke:#555}}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,sans-serif}
main{max-width:980px;margin:0 auto;padding:12px 16px}
h1{font-size:20px;margin:4px 0}h2{font-size:17px;margin:0 0 4px}h3{font-size:14px;margin:10px 0 4px}
.muted,.dest,small{color:var(--muted)}code{font:12px ui-monospace,monospace}
section{background:var(--card);border:1px solid var(--line);border-left:6px solid var(--unk);
border-radius:6px;padding:10px 14px;margin:12px 0}
section.healthy{border-left-color:var(--ok)}section.degraded{border-left-color:var(--warn)}
section.failing{border-left-color:var(--bad)}
.badge{display:inline-block;padding:0 8px;border-radius:10px;color:#fff;font-size:13px;
background:var(--unk)}.badge.healthy{background:var(--ok)}.badge.degraded{background:var(--warn)}
.badge.failing{background:var(--bad)}
.diag{border:1px solid var(--line);border-radius:4px;padding:6px 10px;margin:6px 0}
.diag h3{margin:0;color:var(--bad)}.diag p{margin:4px 0}
dl{display:grid;grid-template-columns:max-content auto;gap:0 10px;margin:4px 0}dt{color:var(--muted)}
dd{margin:0;overflow-wrap:anywhere}
svg{display:block;max-width:100%;height:auto}svg text{font:11px ui-monospace,monospace;fill:var(--fg)}
.p0{fill:#9c755f}.p1{fill:#4e79a7}.p2{fill:#f28e2b}.p3{fill:#59a14f}.p4{fill:#b07aa1}.p5{fill:#76b7b2}
.fail text.o{fill:var(--bad)}.mark{fill:var(--bad)}.grid{stroke:var(--line)}
.smoke{fill:var(--smoke)}.med{fill:none;stroke-width:2}.f0{stroke:#2e7d32}.f1{stroke:#1e88e5}
.f2{stroke:#8e24aa}.f3{stroke:#e53935}.sw{display:inline-block;width:10px;height:10px;margin:0 3px 0 10px}
.services{margin:4px 0;padding-left:18px}.services .failing{color:var(--bad);font-weight:600}
.services .degraded{color:var(--warn)}
)";

// Reloads <main> from the server every 15 s; nothing flickers and scroll position stays.
constexpr std::string_view kScript = R"(
setInterval(async()=>{try{const r=await fetch(location.pathname,{cache:'no-store'});
if(!r.ok)return;const d=new DOMParser().parseFromString(await r.text(),'text/html');
const m=d.getElementById('main');if(m)document.getElementById('main').replaceWith(m);}catch(e){}},15000);
)";

constexpr std::array<std::string_view, 4> kFailColours = {"#2e7d32", "#1e88e5", "#8e24aa",
                                                          "#e53935"};

std::string esc(std::string_view text) {
  return html_escape(text);
}

std::string ms_text(double seconds) {
  return fmt::format("{:.1f} ms", seconds * 1000);
}

// The failure-share class of a smoke point: 0 none, 1 up to 20 %, 2 up to 50 %, 3 more.
int fail_class(const SmokePoint& p) {
  if (p.failed == 0) return 0;
  if (p.failed * 5 <= p.probes) return 1;
  if (p.failed * 2 <= p.probes) return 2;
  return 3;
}

void write_header(Out out, const StatusSnapshot& s) {
  fmt::format_to(out, "<header><h1>proxywatch <small>{}</small></h1>\n", esc(s.version));
  if (s.proxy.empty()) {
    fmt::format_to(out, "<p>No proxy: <code>{}</code> is absent, so the proxy is disabled.</p>\n",
                   esc(s.proxy_file));
  } else {
    fmt::format_to(out, "<p>Proxy <b>{}</b> from <code>{}</code>", esc(s.proxy), esc(s.proxy_file));
  }
  if (!s.proxy.empty()) {
    std::string changed =
        s.proxy_file_changed ? ", last changed " + utc_time(*s.proxy_file_changed) + " UTC" : "";
    fmt::format_to(out, " ({}{})</p>\n",
                   s.proxy_file_valid ? "valid" : "<b>invalid</b>: the last good proxy is probed",
                   changed);
  }
  if (auto local = s.local_error_total()) {
    // Our own limits, never the proxy's: said apart from every target's health.
    fmt::format_to(out,
                   "<p class=warn><b>{} probe{} could not open a socket</b>: proxywatch ran out of "
                   "file descriptors or memory (",
                   local, local == 1 ? "" : "s");
    for (std::size_t i = 0; i < kAllLocalReasons.size(); ++i) {
      if (s.local_errors[i])
        fmt::format_to(out, " {} {}", to_string(kAllLocalReasons[i]), s.local_errors[i]);
    }
    fmt::format_to(out, " ). Those probes count against no proxy; raise LimitNOFILE.</p>\n");
  }
  std::array<std::size_t, kAllHealthStates.size()> counts{};
  for (const TargetStatus& t : s.targets) ++counts[static_cast<std::size_t>(t.health)];
  fmt::format_to(out, "<p class=summary>{} target{}:", s.targets.size(),
                 s.targets.size() == 1 ? "" : "s");
  for (HealthState h : kAllHealthStates) {
    if (auto n = counts[static_cast<std::size_t>(h)])
      fmt::format_to(out, " {} {};", n, to_string(h));
  }
  fmt::format_to(out, " <span class=muted>updated {} UTC</span></p>\n<ul class=services>",
                 utc_time(s.generated));
  for (const ServiceStatus& service : service_statuses(s)) {
    fmt::format_to(out, "<li class={}>{}</li>", to_string(service.health),
                   esc(service_line(service)));
  }
  fmt::format_to(out, "</ul>\n<p class=muted>phases:");
  for (Phase p : kAllPhases) {
    fmt::format_to(
        out, "<svg class=sw viewBox='0 0 10 10'><rect class=p{} width=10 height=10 /></svg>{}",
        static_cast<int>(p), to_string(p));
  }
  fmt::format_to(out, "</p></header>\n");
}

void write_evidence(Out out, const Evidence& e) {
  auto row = [&](std::string_view name, const std::string& value) {
    if (!value.empty()) fmt::format_to(out, "<dt>{}</dt><dd>{}</dd>", name, esc(value));
  };
  fmt::format_to(out, "<dl>");
  if (e.window_probes > 0) {
    row("probes", fmt::format("{} of {} in the window", e.matching_probes, e.window_probes));
  }
  row("outcomes", e.outcomes);
  row("phases", e.phases);
  row("certificate", e.cert_subject);
  row("issuer", e.cert_issuer);
  row("expected issuer", e.expected_issuer);
  row("verify error", e.verify_error);
  row("MTU direction", e.mtu_direction);
  row("MTU detail", e.mtu_detail);
  fmt::format_to(out, "</dl>");
}

void write_diagnoses(Out out, const TargetStatus& t, WallTime now) {
  for (const TargetDiagnosis& d : t.diagnoses) {
    DiagnosisAdvice advice = diagnosis_advice(d.diagnosis);
    fmt::format_to(out,
                   "<div class=diag data-diagnosis={0}><h3>{0} <small>for {1}, since {2} UTC"
                   "</small></h3>\n<p>{3}</p>",
                   to_string(d.diagnosis), age_text(d.since, now), utc_time(d.since),
                   esc(d.evidence.summary));
    write_evidence(out, d.evidence);
    fmt::format_to(out, "<p><b>Means:</b> {}</p><p><b>Check next:</b> {}</p></div>\n",
                   inline_markup(advice.means), inline_markup(advice.check_next));
  }
}

// One bar per probe, newest at the bottom, split into phases on a common scale.
void write_timeline(Out out, const TargetStatus& t) {
  std::size_t first = t.probes.size() > kTimelineProbes ? t.probes.size() - kTimelineProbes : 0;
  std::size_t rows = t.probes.size() - first;
  if (rows == 0) {
    fmt::format_to(out, "<p class=muted>No probe yet.</p>\n");
    return;
  }
  double scale = 1e-3;
  for (std::size_t i = first; i < t.probes.size(); ++i) {
    scale = std::max(scale, total_seconds(t.probes[i]));
  }
  constexpr int kRow = 16, kLeft = 64, kWidth = 320;
  fmt::format_to(out, "<h3>Last {} probe{}</h3>\n<svg class=timeline viewBox='0 0 680 {}'>", rows,
                 rows == 1 ? "" : "s", rows * kRow);
  for (std::size_t i = first; i < t.probes.size(); ++i) {
    const Sample& s = t.probes[i];
    int y = static_cast<int>(i - first) * kRow;
    fmt::format_to(out, "<g class='bar{}' data-outcome={}><text y={}>{}</text>",
                   s.ok() ? "" : " fail", to_string(s.outcome), y + 11, utc_time(s.at).substr(11));
    double x = kLeft;
    for (Phase p : kAllPhases) {
      auto d = s.phase_seconds[static_cast<std::size_t>(p)];
      if (!d) continue;
      double w = std::max(1.0, *d / scale * kWidth);
      fmt::format_to(out, "<rect class=p{} x={:.0f} y={} width={:.0f} height=11 />",
                     static_cast<int>(p), x, y + 2, w);
      x += w;
    }
    if (!s.ok())
      fmt::format_to(out, "<rect class=mark x={:.0f} y={} width=3 height=13 />", x, y + 1);
    std::string phase = s.phase ? fmt::format(" in {}", to_string(*s.phase)) : "";
    fmt::format_to(out, "<text class=o x={} y={}>{} {}{}{}</text></g>", kLeft + kWidth + 8, y + 11,
                   ms_text(total_seconds(s)), to_string(s.outcome), phase,
                   s.confirmation ? " (confirmation)" : "");
  }
  fmt::format_to(out, "</svg>\n");
}

struct ChartArea {
  double x0 = 50, x1 = 670, y0 = 8, y1 = 108;
  WallTime t0, t1;
  double ymax = 1e-3;
  double x(WallTime t) const {
    if (t1 <= t0) return (x0 + x1) / 2;
    return x0 + (x1 - x0) * std::chrono::duration<double>(t - t0).count() /
                    std::chrono::duration<double>(t1 - t0).count();
  }
  double y(double seconds) const { return y1 - (y1 - y0) * std::min(seconds / ymax, 1.0); }
};

// The grey band between low and high, one path per run of points that have latencies.
void write_smoke(Out out, const std::vector<SmokePoint>& points, const ChartArea& a) {
  for (std::size_t i = 0; i < points.size();) {
    if (!points[i].median) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < points.size() && points[end].median) ++end;
    std::string d;
    for (std::size_t j = i; j < end; ++j) {
      double x = a.x(points[j].at) + (end - i == 1 ? -2 : 0);
      fmt::format_to(std::back_inserter(d), "{}{:.0f} {:.0f}", j == i ? "M" : "L", x,
                     a.y(*points[j].high));
    }
    for (std::size_t j = end; j-- > i;) {
      double x = a.x(points[j].at) + (end - i == 1 ? 2 : 0);
      fmt::format_to(std::back_inserter(d), "L{:.0f} {:.0f}", x, a.y(*points[j].low));
    }
    fmt::format_to(out, "<path class=smoke d='{}Z'/>", d);
    i = end;
  }
}

// The median as a line coloured by the failure share at each point; runs of one colour are one
// polyline. A point where every probe failed has no median: a red tick at the top instead.
void write_median(Out out, const std::vector<SmokePoint>& points, const ChartArea& a) {
  std::string run;
  int run_class = -1;
  auto flush = [&] {
    if (run.find(' ') != run.rfind(' ')) {
      fmt::format_to(out, "<polyline class='med f{}' points='{}'/>", run_class, run);
    }
    run.clear();
  };
  const SmokePoint* previous = nullptr;
  for (const SmokePoint& p : points) {
    if (!p.median) {
      flush();
      fmt::format_to(out, "<rect class=mark x={:.0f} y={:.0f} width=2 height=6 />", a.x(p.at) - 1,
                     a.y0);
      previous = nullptr;
      continue;
    }
    int c = fail_class(p);
    if (c != run_class && previous) {
      flush();
      fmt::format_to(std::back_inserter(run), "{:.0f},{:.0f} ", a.x(previous->at),
                     a.y(*previous->median));
    }
    if (!previous) flush();
    run_class = c;
    fmt::format_to(std::back_inserter(run), "{:.0f},{:.0f} ", a.x(p.at), a.y(*p.median));
    previous = &p;
  }
  flush();
}

void write_chart(Out out, const TargetStatus& t) {
  if (t.smoke.empty()) return;
  ChartArea a{.t0 = t.smoke.front().at, .t1 = t.smoke.back().at};
  for (const SmokePoint& p : t.smoke) a.ymax = std::max(a.ymax, p.high.value_or(0) * 1.1);
  fmt::format_to(out,
                 "<h3>Latency of the window <small>median of the last {} probes; smoke: 10th to "
                 "90th percentile; line colour: share failed",
                 kSmokeGroup);
  for (std::size_t c = 0; c < kFailColours.size(); ++c) {
    static constexpr std::array<std::string_view, 4> kNames = {"none", "&le;20 %", "&le;50 %",
                                                               "more"};
    fmt::format_to(out, "<span class=sw style='background:{}'></span>{}", kFailColours[c],
                   kNames[c]);
  }
  fmt::format_to(
      out,
      "</small></h3>\n<svg class=chart viewBox='0 0 680 124'>"
      "<line class=grid x1=50 y1=108 x2=670 y2=108 /><line class=grid x1=50 y1=58 x2=670 "
      "y2=58 /><text x=0 y=12>{}</text><text x=0 y=62>{}</text><text x=0 y=111>0 "
      "ms</text><text x=50 y=122>{}</text><text x=620 y=122>{}</text>",
      ms_text(a.ymax), ms_text(a.ymax / 2), utc_time(a.t0).substr(11), utc_time(a.t1).substr(11));
  write_smoke(out, t.smoke, a);
  write_median(out, t.smoke, a);
  fmt::format_to(out, "</svg>\n");
}

// The newest capture kept: its link, its reading, and the packets under a disclosure.
void write_capture(Out out, const CaptureLink& c) {
  fmt::format_to(out,
                 "<p class=capture>Capture ({} at {} UTC): <a href='{}'>{}</a> — {}</p>\n"
                 "<details><summary>packets</summary><pre>{}</pre></details>\n",
                 esc(c.outcome), utc_time(c.at), esc(capture_href(c.file)), esc(c.file),
                 esc(c.reading), esc(c.timeline));
}

void write_target_html(Out out, const TargetStatus& t, WallTime now) {
  std::string_view health = to_string(t.health);
  fmt::format_to(out,
                 "<section class={0} data-target='{1}' data-service={4}><h2><span class='badge "
                 "{0}'>{0}</span> {1} <span class=dest>{2}{3} · {5}</span> <a class=hist "
                 "href='{6}'>history</a></h2>\n",
                 health, esc(t.name), esc(t.destination),
                 t.expect_denied ? ", expected denied" : "", to_string(t.service),
                 esc(feature_name(t.service)), esc(history_href(t.name, kDefaultHistoryRange)));
  std::string line = t.health_since
                         ? fmt::format("{} for {}", health, age_text(*t.health_since, now))
                         : std::string(health);
  if (t.consecutive_failures > 0)
    line += fmt::format(" · {} failed in a row", t.consecutive_failures);
  if (t.confirming) line += " · confirming: more probes follow within seconds";
  if (!t.probes.empty()) {
    const Sample& last = t.probes.back();
    line += fmt::format(" · last probe: {}{}", to_string(last.outcome),
                        last.phase ? fmt::format(" in {}", to_string(*last.phase)) : "");
  }
  if (t.last_mtu) line += fmt::format(" · MTU check: {}", to_string(*t.last_mtu));
  fmt::format_to(out, "<p>{}</p>\n", line);
  if (!t.last_diagnosis.empty())
    fmt::format_to(out, "<p class=last>{}</p>\n", esc(t.last_diagnosis));
  write_diagnoses(out, t, now);
  if (t.capture) write_capture(out, *t.capture);
  write_timeline(out, t);
  write_chart(out, t);
  fmt::format_to(out, "</section>\n");
}

}  // namespace

std::string inline_markup(std::string_view markdown) {
  std::string out;
  bool code = false, em = false;
  for (char c : markdown) {
    if (c == '`') {
      out += code ? "</code>" : "<code>";
      code = !code;
    } else if (c == '*' && !code) {
      out += em ? "</em>" : "<em>";
      em = !em;
    } else {
      out += html_escape(std::string_view(&c, 1));
    }
  }
  if (code) out += "</code>";
  if (em) out += "</em>";
  return out;
}

std::string render_status_page(const StatusSnapshot& s) {
  std::string page;
  page.reserve(4096 + s.targets.size() * 6144);
  Out out(page);
  fmt::format_to(out,
                 "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
                 "<meta name=viewport content='width=device-width,initial-scale=1'>"
                 "<title>proxywatch: {}</title>\n<noscript><meta http-equiv=refresh content=30>"
                 "</noscript>\n<style>{}</style></head>\n<body><main id=main>\n",
                 s.proxy.empty() ? "no proxy" : esc(s.proxy), kStyle);
  write_header(out, s);
  // Grouped by the FMC feature they stand for, in the plan's order within each.
  for (Service service : kAllServices) {
    for (const TargetStatus& t : s.targets) {
      if (t.service == service) write_target_html(out, t, s.generated);
    }
  }
  fmt::format_to(out, "</main>\n<script>{}</script>\n</body></html>\n", kScript);
  return page;
}

}  // namespace proxywatch
