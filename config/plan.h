// The Plan: what the daemon probes, made from the two configuration files. One proxy (from
// FMC's iprep_proxy.conf; none when that file is absent) times the YAML file's targets, each
// target a complete ProbeSpec with its interval. The scheduler runs it; `config-check` prints it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/probe_spec.h"
#include "config/config_error.h"
#include "config/credentials.h"
#include "config/iprep_proxy_conf.h"
#include "config/yaml_config.h"

namespace proxywatch::config {

// One target, ready to probe.
struct PlannedTarget {
  std::string name;  // the metric label value
  ProbeSpec spec;
  Millis interval;
  std::string expect_issuer{};         // the pinned issuer of the origin's certificate; "": none
  Service service = Service::kCustom;  // the FMC feature it stands for
  friend bool operator==(const PlannedTarget&, const PlannedTarget&) = default;
};

// What metrics, the journal and the history call the proxy while none is configured.
inline constexpr std::string_view kNoProxyLabel = "none";

// Everything the scheduler needs to probe: the proxy and its credentials, and the targets.
struct Plan {
  std::string proxy_file;         // where the proxy settings come from
  std::optional<HostPort> proxy;  // nullopt: the file is absent, proxy disabled
  // The credentials every probe answers a 407 with (never printed, logged or exported), and
  // where they came from; nullopt: none configured.
  std::optional<ProxyCredentials> credentials;
  std::string credentials_source;
  std::vector<ConfigWarning> warnings;  // the proxy file's warnings
  // In YAML order. When `proxy` is nullopt each spec.proxy is empty (HostPort{}).
  std::vector<PlannedTarget> targets;

  // False when the proxy file is absent: there is nothing to probe through.
  bool proxy_enabled() const { return proxy.has_value(); }
  // The proxy as metrics, the journal and the history name it: "host:port", or kNoProxyLabel.
  std::string proxy_label() const;
  // The targets' names, in YAML order.
  std::vector<std::string> target_names() const;
  friend bool operator==(const Plan&, const Plan&) = default;
};

// Combines the YAML configuration with the proxy file's settings (nullopt when the proxy file
// is absent) and the credentials loaded from the credentials file or systemd credential
// (credentials.h), which take precedence over PROXY_USER/PROXY_PASSWORD of the proxy file.
// Every ProbeSpec is the target's (TargetConfig::spec) with the proxy and the credentials.
Plan make_plan(const DaemonConfig& config, const std::optional<ProxyFileSettings>& proxy,
               const std::optional<LoadedCredentials>& credentials = std::nullopt);

// The plan for humans, as `proxywatch config-check` shows it: the proxy and where it comes
// from, its warnings, then the targets grouped by the FMC feature they stand for, one line per
// target (name, host:port or URL, interval, request, expect).
// Says whether a password is set, never what it is.
std::string describe_plan(const Plan& plan);

}  // namespace proxywatch::config
