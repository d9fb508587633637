// The history page: range links, the chart and its legend, the failures and the diagnoses of
// the range, all escaped through html_escape.
#include "common/output/status/history_page.h"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "common/escape.h"
#include "common/output/status/status_snapshot.h"

namespace proxywatch {
namespace {

using PageOut = std::back_insert_iterator<std::string>;

// The page's CSS. Failed-share steps s0..s3 (green, yellow, orange, red), smoke greys, outage
// bands in a pale red behind the chart.
constexpr std::string_view kHistoryStyle = R"(
:root{color-scheme:light dark;--bg:#fafafa;--fg:#1d1d1f;--muted:#666;--card:#fff;--line:#ddd;
--smoke1:#d6d6d6;--smoke2:#a8a8a8;--outage:rgba(198,40,40,.13);--bad:#c62828}
@media(prefers-color-scheme:dark){:root{--bg:#151515;--fg:#e8e8e8;--muted:#a0a0a0;--card:#202020;
--line:#3a3a3a;--smoke1:#3c3c3c;--smoke2:#616161;--outage:rgba(239,83,80,.2);--bad:#ef5350}}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,sans-serif}
main{max-width:980px;margin:0 auto;padding:12px 16px}h1{font-size:20px;margin:4px 0}
h2{font-size:16px;margin:14px 0 4px}.muted,small{color:var(--muted)}
nav a,nav b{display:inline-block;padding:1px 9px;margin-right:4px;border:1px solid var(--line);
border-radius:10px}nav b{background:var(--fg);color:var(--bg)}
svg{display:block;max-width:100%;height:auto;background:var(--card);border:1px solid var(--line)}
svg text{font:11px ui-monospace,monospace;fill:var(--fg)}.ya{text-anchor:end}.xa{text-anchor:middle}
.grid{stroke:var(--line)}.outage rect{fill:var(--outage)}.outage text{fill:var(--bad)}
.p10-p90{fill:var(--smoke1)}.p25-p75{fill:var(--smoke2)}.median{fill:none;stroke-width:2.5}
.s0{stroke:#2e9d3a}.s1{stroke:#e6c200}.s2{stroke:#f57c00}.s3{stroke:#d32f2f}
.nodata{stroke:var(--line);stroke-width:4}
.allfailed{stroke:#d32f2f;stroke-width:6}
.sw{display:inline-block;width:14px;height:10px;margin:0 3px 0 10px;vertical-align:middle}
table{border-collapse:collapse;width:100%;background:var(--card)}
td,th{border-bottom:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}
td.when{white-space:nowrap;font:12px ui-monospace,monospace}
)";

constexpr std::array<std::string_view, 4> kShareColours = {"#2e9d3a", "#e6c200", "#f57c00",
                                                           "#d32f2f"};

std::string page_esc(std::string_view text) {
  return html_escape(text);
}

// The same text as `text` in a URL's query: unreserved bytes (RFC 3986 §2.3) as they are,
// every other byte percent-encoded.
std::string query_component(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      fmt::format_to(std::back_inserter(out), "%{:02X}", c);
    }
  }
  return out;
}

void write_head(PageOut out, std::string_view target, HistoryRange range) {
  fmt::format_to(out,
                 "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
                 "<meta name=viewport content='width=device-width,initial-scale=1'>"
                 "<title>proxywatch history: {} ({})</title>\n<style>{}</style></head>\n"
                 "<body><main id=main>\n<h1>History of {}</h1>\n<nav><a href='./'>status page</a> "
                 "· range:",
                 page_esc(target), to_string(range), kHistoryStyle, page_esc(target));
  for (HistoryRange r : kAllHistoryRanges) {
    if (r == range) {
      fmt::format_to(out, " <b aria-current=page>{}</b>", to_string(r));
    } else {
      fmt::format_to(out, " <a class=range href='{}'>{}</a>", page_esc(history_href(target, r)),
                     to_string(r));
    }
  }
  fmt::format_to(out, "</nav>\n");
}

void write_legend(PageOut out) {
  fmt::format_to(out,
                 "<p class=muted>Total duration of the passing probes per column: light grey 10th "
                 "to 90th percentile, dark grey 25th to 75th, the mark the median, coloured by "
                 "the share of probes that failed:");
  for (std::size_t s = 0; s < kShareColours.size(); ++s) {
    fmt::format_to(out, "<span class=sw style='background:{}'></span>{}", kShareColours[s],
                   kFailedShareSteps[s]);
  }
  fmt::format_to(out,
                 ". A red bar at the top: every probe of the column failed; a grey strip at the "
                 "bottom: no probe. Pale red bands: the target was <b>failing</b>, labelled with "
                 "the diagnoses active then. Times UTC.</p>\n");
}

void write_failures(PageOut out, const HistoryPage& page, std::size_t total) {
  fmt::format_to(out, "<h2>Failures</h2>\n");
  if (page.failures.empty()) {
    fmt::format_to(out, "<p class=muted>No probe failed in this range.</p>\n");
    return;
  }
  if (total > page.failures.size()) {
    fmt::format_to(out, "<p class=muted>The newest {} of {} failures ({} more not listed).</p>\n",
                   page.failures.size(), total, total - page.failures.size());
  }
  fmt::format_to(out,
                 "<table class=failures><tr><th>UTC</th><th>outcome</th><th>phase</th>"
                 "<th>proxy</th><th>what happened</th></tr>\n");
  for (const ProbeRecord& r : page.failures) {
    fmt::format_to(out,
                   "<tr data-outcome={}><td class=when>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                   "<td>{}</td></tr>\n",
                   to_string(r.outcome), utc_time(r.at), to_string(r.outcome),
                   r.phase ? to_string(*r.phase) : "", page_esc(r.proxy), page_esc(r.diagnosis));
  }
  fmt::format_to(out, "</table>\n");
}

void write_diagnoses(PageOut out, const HistoryPage& page) {
  fmt::format_to(out, "<h2>Diagnoses</h2>\n");
  if (page.diagnoses.empty()) {
    fmt::format_to(out, "<p class=muted>No diagnosis was active in this range.</p>\n");
    return;
  }
  fmt::format_to(out,
                 "<table class=diagnoses><tr><th>diagnosis</th><th>from (UTC)</th><th>to (UTC)"
                 "</th><th>proxy</th><th>evidence</th></tr>\n");
  for (const DiagnosisInterval& d : page.diagnoses) {
    std::string to = d.to ? utc_time(*d.to) : "still active";
    std::string why =
        d.cleared_why.empty() ? "" : "<br><small>cleared: " + page_esc(d.cleared_why) + "</small>";
    fmt::format_to(out,
                   "<tr data-diagnosis={0}><td>{0}</td><td class=when>{1}</td><td class=when>{2}"
                   "</td><td>{3}</td><td>{4}{5}</td></tr>\n",
                   to_string(d.diagnosis), utc_time(d.from), to, page_esc(d.proxy),
                   page_esc(d.evidence.summary), why);
  }
  fmt::format_to(out, "</table>\n");
}

}  // namespace

std::string history_href(std::string_view target, HistoryRange range) {
  return fmt::format("history?target={}&range={}", query_component(target), to_string(range));
}

std::string render_history_page(const HistoryPage& page) {
  std::string html;
  html.reserve(64 * 1024);
  PageOut out(html);
  write_head(out, page.target, page.range);
  auto failed = static_cast<std::size_t>(std::count_if(page.points.begin(), page.points.end(),
                                                       [](const ProbePoint& p) { return !p.ok; }));
  double share = page.points.empty() ? 0.0
                                     : 100.0 * static_cast<double>(failed) /
                                           static_cast<double>(page.points.size());
  fmt::format_to(out, "<p>{} to {} UTC: <b>{}</b> probes, <b>{}</b> failed ({:.1f} %).</p>\n",
                 utc_time(page.span.from), utc_time(page.span.to), page.points.size(), failed,
                 share);
  html += render_history_chart(page.range, page.span.from, page.span.to, page.points, page.health,
                               page.diagnoses);
  write_legend(out);
  write_failures(out, page, failed);
  write_diagnoses(out, page);
  fmt::format_to(out, "<p class=muted>read {} UTC</p>\n</main></body></html>\n",
                 utc_time(page.generated));
  return html;
}

std::string render_history_empty(std::string_view target, HistoryRange range) {
  std::string html;
  PageOut out(html);
  write_head(out, target, range);
  fmt::format_to(out,
                 "<p>No history yet: the daemon has not written its probe log. Come back after "
                 "its first probes.</p>\n</main></body></html>\n");
  return html;
}

}  // namespace proxywatch
