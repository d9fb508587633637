// The support bundle's fresh checks: `proxywatch check --mtu --packets` of every planned target
// (a plain check for http:// and negative targets, which have no TLS to compare), run through
// run_check() on threads of their own, all at once, each phase bounded, so the whole part ends
// within a bound however the proxy behaves (bundle_collect.h).
#include <algorithm>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "daemon/bundle_collect.h"
#include "daemon/check_command.h"

namespace proxywatch {
namespace {

struct BundleCheck {
  std::string name;
  CheckOptions options;
  std::string text;
};

// The target's spec with every phase bounded for the bundle.
CheckOptions bundle_check_options(const config::PlannedTarget& target) {
  CheckOptions options;
  options.spec = target.spec;
  PhaseTimeouts& t = options.spec.timeouts;
  const Millis cap = kBundleCheckPhase;
  for (Millis* phase : {&t.dns, &t.tcp_connect, &t.proxy_connect, &t.tls_handshake,
                        &t.http_first_byte, &t.transfer, &t.stall}) {
    *phase = std::min(*phase, cap);
  }
  options.spec.max_bytes = std::min(options.spec.max_bytes, kBundleCheckBytes);
  options.mtu = !options.spec.plain_http() && !options.spec.expect_denied;
  options.packets = true;
  return options;
}

// The command line the check stands for (never the password).
std::string check_command_line(const CheckOptions& options) {
  const ProbeSpec& spec = options.spec;
  std::string line =
      "proxywatch check --proxy " + spec.proxy.to_string() + " --target " + spec.target_text();
  if (spec.request && !spec.plain_http()) {
    line += " --request '" + spec.request->method + " " + spec.request->path + "'";
  }
  if (spec.credentials) line += " --proxy-user " + spec.credentials->user;
  if (spec.expect_denied) line += " --expect-denied";
  if (options.mtu) line += " --mtu";
  if (options.packets) line += " --packets";
  return line + fmt::format(" --timeout {}", kBundleCheckPhase.count());
}

void run_bundle_check(BundleCheck& check) {
  std::ostringstream out, err;
  int status = 0;
  try {
    status = run_check(check.options, out, err);
    if (status == kExitUsage && check.options.packets) {
      // The packets could not be read (no CAP_NET_RAW): the check is worth having without.
      std::string why = err.str();
      check.options.packets = false;
      out.str("");
      err.str("");
      err << "(--packets: " << why << ")\n";
      status = run_check(check.options, out, err);
    }
  } catch (const std::exception& e) {
    err << "the check failed: " << e.what() << "\n";
    status = kExitSoftware;
  }
  check.text = "$ " + check_command_line(check.options) + "\n\n" + out.str() + err.str() +
               fmt::format("\nexit status {}\n", status);
}

// "checks/tools.cisco.com_443.txt" for the target name "tools.cisco.com:443".
std::string check_file_name(const std::string& target) {
  std::string name = target;
  std::replace(name.begin(), name.end(), ':', '_');
  std::replace(name.begin(), name.end(), '/', '_');
  return "checks/" + name + ".txt";
}

}  // namespace

void collect_checks(BundleContents& bundle, const BundleConfig& loaded) {
  if (!loaded.plan || !loaded.plan->proxy_enabled()) {
    bundle.gap("checks/",
               "no proxy is configured (the proxy file is absent or did not load): "
               "nothing to check through");
    return;
  }
  std::vector<BundleCheck> checks;
  for (const config::PlannedTarget& target : loaded.plan->targets) {
    if (checks.size() == kBundleCheckTargets) {
      bundle.gap("checks/",
                 fmt::format("only the first {} targets were checked", kBundleCheckTargets));
      break;
    }
    checks.push_back({target.name, bundle_check_options(target), ""});
  }
  for (std::size_t first = 0; first < checks.size(); first += kBundleChecksAtOnce) {
    std::vector<std::jthread> threads;
    std::size_t end = std::min(checks.size(), first + kBundleChecksAtOnce);
    for (std::size_t i = first; i < end; ++i) {
      threads.emplace_back([&check = checks[i]] { run_bundle_check(check); });
    }
  }
  for (BundleCheck& check : checks) {
    bundle.add(check_file_name(check.name), std::move(check.text),
               "a fresh check of target " + check.name + " (" +
                   (check.options.mtu ? "the MTU comparison" : "one probe") +
                   ", its packets when they could be captured)");
  }
  bundle.notes.push_back(fmt::format(
      "checks: run when the bundle was taken, {} at once, each phase at most {} s (transfer "
      "and stall included), at most {} KiB read; --mtu for https targets, one probe for "
      "http:// and expect: denied ones",
      kBundleChecksAtOnce, kBundleCheckPhase.count(), kBundleCheckBytes >> 10));
}

}  // namespace proxywatch
