// Running one probe in the test's own thread, for the tests of the probe engine that drive it
// in-process against scripted peers (tests/integration/probe/).
#pragma once

#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "common/probe/probe.h"
#include "common/probe/tls_contexts.h"

namespace proxywatch::testing {

// Runs `spec` to its end on an io_context of this thread, with its TLS context from `contexts`,
// bounded by 30 s. Throws std::runtime_error when the CA file does not load or the probe does
// not end in time.
inline ProbeResult probe_here(TlsContexts& contexts, const ProbeSpec& spec) {
  auto tls = contexts.get(spec.ca_file);
  if (!tls) throw std::runtime_error(tls.error().to_string());
  boost::asio::io_context io;
  std::optional<ProbeResult> result;
  boost::asio::co_spawn(io, run_probe(spec, *tls), [&](std::exception_ptr error, ProbeResult r) {
    if (!error) result = std::move(r);
  });
  io.run_for(std::chrono::seconds(30));
  if (!result) throw std::runtime_error("the probe did not end within 30 s");
  return *result;
}

}  // namespace proxywatch::testing
