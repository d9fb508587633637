// The status page (`GET /` on the metrics listener): the status snapshot as one self-contained
// HTML document for the FMC operator, who has no Grafana on the appliance. Inline CSS (light,
// with a dark variant under prefers-color-scheme), SVG drawn here on the server — a timeline
// bar per recent probe split into its phases, and a SmokePing-style latency chart per target —
// and a small inline script that reloads the content every 15 s without a full reload (a
// <noscript> meta refresh does it without JavaScript). No external scripts, fonts or styles.
// Every value from a file, the proxy or the origin goes through html_escape (common/escape.h).
#pragma once

#include <string>

#include "common/output/status/status_snapshot.h"

namespace proxywatch {

// The page for `snapshot`, as served with Content-Type text/html; charset=utf-8.
std::string render_status_page(const StatusSnapshot& snapshot);

// `markdown` (the subset of docs/diagnoses.md: `code` and *emphasis*) as escaped HTML.
std::string inline_markup(std::string_view markdown);

}  // namespace proxywatch
