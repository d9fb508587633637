// `GET /captures/NAME` on the daemon's listener: a capture file the evidence store wrote
// (daemon/evidence_store.h), as application/vnd.tcpdump.pcap. Captures hold traffic, so they are
// served only by a listener that authenticates its users (web_config_file with basic_auth_users);
// any other listener answers 403 with a sentence saying so. Only a name the store could have
// written ([A-Za-z0-9_.-]*.pcap, no path) of a regular file in the captures directory is served;
// anything else is 404.
#pragma once

#include <string>

#include "common/output/web/http_server.h"

namespace proxywatch {

// The answer to a request for `path` ("/captures/NAME") with the captures in `dir`;
// `authenticated`: the listener checks basic auth.
HttpResponse capture_file_response(const std::string& dir, bool authenticated,
                                   const std::string& path);

// The /captures/ handler: serves a request only when it was authenticated
// (HttpQuery::authenticated), whatever the users are when it arrives (they are reloaded).
HttpServer::Handler capture_file_handler(std::string dir);

}  // namespace proxywatch
