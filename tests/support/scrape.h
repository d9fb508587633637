// Reading a running daemon's HTTP endpoints from a test: a plain GET over loopback and the
// value of one series in the Prometheus text it returns.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace proxywatch::testing {

// GET http://127.0.0.1:port/path (HTTP/1.0, 5 s receive timeout, at most 8 MiB); the body, or
// "" on failure.
std::string http_get(std::uint16_t port, const std::string& path);
// The same with an Authorization header of value `authorization`.
std::string http_get(std::uint16_t port, const std::string& path, const std::string& authorization);

// The value of the first series `name{...}` (or `name value`) in `text` whose line contains
// every fragment of `labels`, e.g. {"target=\"origin\""}.
std::optional<double> metric(const std::string& text, const std::string& name,
                             const std::vector<std::string>& labels = {});

}  // namespace proxywatch::testing
