// Building and printing the Plan.
#include "config/plan.h"

#include "config/duration.h"

namespace proxywatch::config {
namespace {

ProbeSpec make_spec(const TargetConfig& target, const std::optional<HostPort>& proxy) {
  ProbeSpec spec;
  spec.proxy = proxy.value_or(HostPort{});
  spec.target = target.target;
  spec.ca_file = target.ca_file;
  spec.request = target.request;
  spec.max_bytes = target.max_bytes;
  spec.timeouts = target.timeouts;
  spec.expect_denied = target.expect_denied;
  spec.http_error_fails = target.http_error_fails;
  spec.user_agent = "proxywatch/" PROXYWATCH_VERSION;
  return spec;
}

std::string describe_proxy(const Plan& plan) {
  if (!plan.proxy) {
    return "proxy: disabled (" + plan.proxy_file +
           " does not exist: FMC has no proxy configured)\n";
  }
  std::string out = "proxy: " + plan.proxy->to_string() + " (from " + plan.proxy_file;
  if (plan.proxy_user) out += "; user " + quoted(*plan.proxy_user);
  if (plan.proxy_password) out += "; password set";
  return out + ")\n";
}

std::string describe_target(const PlannedTarget& target) {
  const ProbeSpec& spec = target.spec;
  std::string out = "  " + target.name + ": " + spec.target.to_string() + ", every " +
                    format_duration(target.interval);
  out += spec.request ? ", request " + spec.request->method + " " + spec.request->path
                      : ", no request";
  out += spec.expect_denied ? ", expect denied" : ", expect ok";
  if (!spec.ca_file.empty()) out += ", CA file " + spec.ca_file;
  return out + "\n";
}

}  // namespace

Plan make_plan(const DaemonConfig& config, const std::optional<ProxyFileSettings>& proxy) {
  Plan plan;
  plan.proxy_file = config.proxy_file;
  if (proxy) {
    plan.proxy = proxy->proxy;
    plan.proxy_user = proxy->user;
    plan.proxy_password = proxy->password;
    plan.warnings = proxy->warnings;
  }
  for (const TargetConfig& target : config.targets) {
    plan.targets.push_back(PlannedTarget{target.name, make_spec(target, plan.proxy),
                                         target.interval, target.expect_issuer});
  }
  return plan;
}

std::string describe_plan(const Plan& plan) {
  std::string out = describe_proxy(plan);
  for (const ConfigWarning& warning : plan.warnings)
    out += "warning: " + warning.to_string() + "\n";
  out += "targets: " + std::to_string(plan.targets.size()) + "\n";
  for (const PlannedTarget& target : plan.targets) out += describe_target(target);
  return out;
}

}  // namespace proxywatch::config
