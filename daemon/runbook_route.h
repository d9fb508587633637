// `GET /runbook/` and `/runbook/ALERTNAME` on the daemon's listener: the runbook of proxywatch's
// alerts, so that an alert's runbook_url (`http://ADDRESS/runbook/ALERTNAME` by default,
// docs/fleet.md) opens in a browser. The page is packaging/mixin/runbook.html, written with the
// alert rules by packaging/mixin/generate.py and compiled in at build time (runbook_html.cc,
// made by embed_runbook.cmake): nothing to install or find at run time. /runbook/ is the whole
// page; /runbook/ALERTNAME is that alert's section under the page's head; anything else is 404.
// It is a route like the others: the listener's Host check and basic authentication apply (a
// browser asks for the password).
#pragma once

#include <string_view>

#include "common/output/web/http_server.h"

namespace proxywatch {

// The runbook page as built into the binary.
extern const std::string_view kRunbookHtml;

// The answer to a request for `path` ("/runbook/" or "/runbook/NAME") from the runbook page
// `html`, whose alerts are `<section id="NAME">` … `</section>`.
HttpResponse runbook_response(std::string_view html, std::string_view path);

// The /runbook/ handler, serving kRunbookHtml.
HttpServer::Handler runbook_handler();

}  // namespace proxywatch
