// Appliance: one simulated FMC of a fleet, as the fleet and dashboard tests need several: its own
// real squid (whose ACL a test can switch to deny a destination and back, by rewriting a domain
// list and `squid -k reconfigure`, as a proxy administrator would), its own iprep_proxy.conf, YAML
// file, state directory and metrics port, and a `proxywatch daemon` process.
#pragma once

#include "tests/support/process.h"
#include "tests/support/squid.h"
#include "tests/support/temp_dir.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace proxywatch::testing {

// A real squid whose ACL a test switches to deny destinations and back, by rewriting a domain
// list and `squid -k reconfigure`, as a proxy administrator would: an appliance's own proxy, or
// one that several appliances share.
class DenyingSquid {
 public:
  // Starts squid resolving names from `hosts` (name → IP), denying nothing yet. Throws on
  // failure.
  explicit DenyingSquid(std::map<std::string, std::string> hosts);
  // Makes squid deny CONNECT to exactly `domains` (dstdomain values; empty = deny nothing).
  // Returns squid's error text, or "" when the reconfiguration was accepted.
  std::string deny(const std::vector<std::string>& domains);
  std::uint16_t port() const { return squid_->port(); }

 private:
  TempDir dir_{"pw-squid-acl"};
  std::unique_ptr<Squid> squid_;
};

class Appliance {
 public:
  struct Options {
    std::string name;                            // the appliance's name, e.g. fmc-a
    std::filesystem::path binary;                // the proxywatch executable
    std::map<std::string, std::string> hosts{};  // squid's hosts file: name → IP address
    std::string targets_yaml{};  // the YAML `targets:` list items, each line starting "  - "
    std::string extra_yaml{};    // further top-level YAML lines (e.g. "health: {...}\n")
    // A proxy shared with other appliances instead of a squid of its own (then deny() cannot
    // be used): the proxy file names proxy_host:proxy_port.
    std::string proxy_host{};
    std::uint16_t proxy_port = 0;
    // When not empty, the daemon runs in a mount namespace of its own (unshare -m, needs root)
    // with these name → address lines bind-mounted over /etc/hosts, so that appliances can
    // resolve the same proxy name to addresses of their own; no resolver is asked.
    std::map<std::string, std::string> etc_hosts{};
    std::string interval = "1s";  // the YAML's interval and jitter
    std::string jitter = "0s";
  };

  // Starts the appliance's squid (its ACL denies the domains of the deny list, empty at first)
  // unless the proxy is shared, and writes the proxy file and the YAML (interval 1s and jitter
  // 0 unless given, MTU comparison off, metrics on a free loopback port). The daemon is not
  // started yet. Throws on failure.
  explicit Appliance(Options options);
  // Stops the daemon (if running) and squid.
  ~Appliance();
  Appliance(const Appliance&) = delete;
  Appliance& operator=(const Appliance&) = delete;

  // Starts `proxywatch daemon`; true once /metrics answers (at most 10 s).
  bool start_daemon();

  // SIGTERM to the daemon, and waits until it has exited (at most 5 s, then SIGKILL).
  void stop_daemon();

  // Makes its squid deny CONNECT to exactly `domains` (dstdomain values; empty = deny
  // nothing): rewrites the list file and runs `squid -k reconfigure`. Returns squid's error
  // text (or that the proxy is shared), or "" when the reconfiguration was accepted.
  std::string deny(const std::vector<std::string>& domains);

  // Sends SIGHUP to the daemon (a configuration reload).
  void reload_daemon() const;

  const std::string& name() const { return options_.name; }
  std::uint16_t metrics_port() const { return metrics_port_; }
  // The `proxy` label its series carry: 127.0.0.1:SQUID_PORT, or the shared proxy's
  // proxy_host:proxy_port.
  std::string proxy_label() const;
  // GET /metrics ("" if the daemon does not answer).
  std::string scrape() const;
  // The daemon's log so far (stderr).
  std::string daemon_log() const { return daemon_ ? daemon_->log() : ""; }

 private:
  Options options_;
  TempDir dir_;
  std::unique_ptr<DenyingSquid> squid_;
  std::uint16_t metrics_port_ = 0;
  std::filesystem::path yaml_;
  std::unique_ptr<ChildProcess> daemon_;
};

}  // namespace proxywatch::testing
