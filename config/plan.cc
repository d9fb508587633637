// Building and printing the Plan.
#include "config/plan.h"

#include "config/duration.h"

namespace proxywatch::config {
namespace {

std::string describe_proxy(const Plan& plan) {
  if (!plan.proxy) {
    return "proxy: disabled (" + plan.proxy_file +
           " does not exist: FMC has no proxy configured)\n";
  }
  std::string out = "proxy: " + plan.proxy->to_string() + " (from " + plan.proxy_file;
  out += ")\n";
  if (plan.credentials) {
    out += "credentials: user " + in_quotes(plan.credentials->user) + " from " +
           plan.credentials_source +
           (plan.credentials->password.empty() ? " (empty password)" : " (password set)") + "\n";
  } else {
    out += "credentials: none (a proxy that asks gets no answer: proxy_auth_required)\n";
  }
  return out;
}

std::string describe_target(const PlannedTarget& target) {
  const ProbeSpec& spec = target.spec;
  std::string out = "    " + target.name + ": " + spec.target_text() + ", every " +
                    format_duration(target.interval);
  if (spec.plain_http()) {
    out += ", plain HTTP " + spec.request->method + " through the proxy";
  } else {
    out += spec.request ? ", CONNECT, request " + spec.request->method + " " + spec.request->path
                        : ", CONNECT, no request";
  }
  out += spec.expect_denied ? ", expect denied" : ", expect ok";
  if (!spec.ca_file.empty()) out += ", CA file " + spec.ca_file;
  return out + "\n";
}

}  // namespace

std::string Plan::proxy_label() const {
  return proxy ? proxy->to_string() : std::string(kNoProxyLabel);
}

std::vector<std::string> Plan::target_names() const {
  std::vector<std::string> names;
  names.reserve(targets.size());
  for (const PlannedTarget& t : targets) names.push_back(t.name);
  return names;
}

Plan make_plan(const DaemonConfig& config, const std::optional<ProxyFileSettings>& proxy,
               const std::optional<LoadedCredentials>& credentials) {
  Plan plan;
  plan.proxy_file = config.proxy_file;
  if (proxy) {
    plan.proxy = proxy->proxy;
    plan.warnings = proxy->warnings;
  }
  if (credentials) {
    plan.credentials = credentials->credentials;
    plan.credentials_source = credentials->source;
  } else if (proxy && proxy->user) {
    plan.credentials = ProxyCredentials{*proxy->user, proxy->password.value_or("")};
    plan.credentials_source = config.proxy_file;
  }
  for (const TargetConfig& target : config.targets) {
    PlannedTarget planned{target.name, target.spec, target.interval, target.expect_issuer,
                          target.service};
    planned.spec.proxy = plan.proxy.value_or(HostPort{});
    planned.spec.credentials = plan.credentials;
    planned.spec.refuse_basic = config.refuse_basic_auth;
    plan.targets.push_back(std::move(planned));
  }
  return plan;
}

std::string describe_plan(const Plan& plan) {
  std::string out = describe_proxy(plan);
  for (const ConfigWarning& warning : plan.warnings)
    out += "warning: " + warning.to_string() + "\n";
  out += "targets: " + std::to_string(plan.targets.size()) + "\n";
  for (Service service : kAllServices) {
    std::string lines;
    for (const PlannedTarget& target : plan.targets) {
      if (target.service == service) lines += describe_target(target);
    }
    if (lines.empty()) continue;
    out += "  " + std::string(feature_name(service)) + " (service " +
           std::string(to_string(service)) + "):\n" + lines;
  }
  return out;
}

}  // namespace proxywatch::config
