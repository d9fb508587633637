// `proxywatch check`: one probe by hand, printed as the guide's timeline or as JSON, with an
// exit status by outcome (0 ok, 1 failed, 2 bad usage).
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <boost/system/result.hpp>

#include "common/error.h"
#include "common/probe_spec.h"
#include "daemon/exit_status.h"

namespace proxywatch {

// The environment variable `check --proxy-user` takes the proxy password from.
inline constexpr const char* kPasswordEnv = "PROXYWATCH_PROXY_PASSWORD";

struct CheckOptions {
  ProbeSpec spec;
  bool json = false;
  // Run the MTU comparison (normal, clamped, padded) instead of one probe.
  bool mtu = false;
  // --capture FILE: the probe's packets (every probe's, with --mtu) written to FILE as pcap.
  std::optional<std::string> capture_file;
  // --packets: the packets read as the guide reads tcpdump (common/capture/packet_reading.h),
  // after the timeline (in the JSON as "packets").
  bool packets = false;
  bool help = false;
};

// Reads the check subcommand's flags (and, with --proxy-user, the password from
// --proxy-password-file or kPasswordEnv); the error names the offending flag or value and
// never holds the password.
Result<CheckOptions> parse_check_args(const std::vector<std::string>& args);

// Runs the check `options` ask for (as parsed; not --help), writing the result to `out` and
// errors to `err`; returns the exit status. `proxywatch bundle` runs `check --mtu --packets`
// per target through it.
int run_check(const CheckOptions& options, std::ostream& out, std::ostream& err);

// Runs `proxywatch check` with `args`, writing the result to `out` and errors to `err`;
// returns the exit status.
int run_check_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The usage text of `proxywatch check`.
std::string check_usage();

}  // namespace proxywatch
