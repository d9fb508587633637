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

class Appliance {
 public:
  struct Options {
    std::string name;                            // the appliance's name, e.g. fmc-a
    std::filesystem::path binary;                // the proxywatch executable
    std::map<std::string, std::string> hosts{};  // squid's hosts file: name → IP address
    std::string targets_yaml{};  // the YAML `targets:` list items, each line starting "  - "
    std::string extra_yaml{};    // further top-level YAML lines (e.g. "health: {...}\n")
  };

  // Starts the appliance's squid (its ACL denies the domains of the deny list, empty at first)
  // and writes the proxy file and the YAML (interval 1s, jitter 0, MTU comparison off,
  // metrics on a free loopback port). The daemon is not started yet. Throws on failure.
  explicit Appliance(Options options);
  // Stops the daemon (if running) and squid.
  ~Appliance();
  Appliance(const Appliance&) = delete;
  Appliance& operator=(const Appliance&) = delete;

  // Starts `proxywatch daemon`; true once /metrics answers (at most 10 s).
  bool start_daemon();

  // SIGTERM to the daemon, and waits until it has exited (at most 5 s, then SIGKILL).
  void stop_daemon();

  // Makes squid deny CONNECT to exactly `domains` (dstdomain values; empty = deny nothing):
  // rewrites the list file and runs `squid -k reconfigure`. Returns squid's error text, or ""
  // when the reconfiguration was accepted.
  std::string deny(const std::vector<std::string>& domains);

  // Sends SIGHUP to the daemon (a configuration reload).
  void reload_daemon() const;

  const std::string& name() const { return options_.name; }
  std::uint16_t metrics_port() const { return metrics_port_; }
  // The `proxy` label its series carry: 127.0.0.1:SQUID_PORT.
  std::string proxy_label() const;
  // GET /metrics ("" if the daemon does not answer).
  std::string scrape() const;
  // The daemon's log so far (stderr).
  std::string daemon_log() const { return daemon_ ? daemon_->log() : ""; }

 private:
  Options options_;
  TempDir dir_;
  std::unique_ptr<Squid> squid_;
  std::uint16_t metrics_port_ = 0;
  std::filesystem::path yaml_;
  std::unique_ptr<ChildProcess> daemon_;
};

}  // namespace proxywatch::testing
