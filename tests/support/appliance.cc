// Appliance: the squid deny list, the daemon's files and its process.
#include "tests/support/appliance.h"

#include "tests/support/local_port.h"
#include "tests/support/scrape.h"
#include "tests/support/wait.h"

#include <signal.h>

#include <chrono>

namespace proxywatch::testing {
namespace {

using namespace std::chrono_literals;

// Squid reads a dstdomain list from a file at start and on reconfigure. An empty list draws a
// warning, so "deny nothing" is a name no test uses.
constexpr std::string_view kNothing = "nothing-denied.invalid";

std::string deny_list(const std::vector<std::string>& domains) {
  std::string text;
  for (const auto& d : domains) text += d + "\n";
  return text.empty() ? std::string(kNothing) + "\n" : text;
}

}  // namespace

DenyingSquid::DenyingSquid(std::map<std::string, std::string> hosts) {
  const auto list = dir_.write_file("deny.txt", deny_list({}));
  squid_ = std::make_unique<Squid>(
      Squid::Options{.hosts = std::move(hosts),
                     .extra_config = {"acl appliance_deny dstdomain \"" + list.string() + "\""},
                     .extra_http_access = {"http_access deny appliance_deny"}});
}

std::string DenyingSquid::deny(const std::vector<std::string>& domains) {
  dir_.write_file("deny.txt", deny_list(domains));
  const ProcessResult r = run_process(
      {"/usr/sbin/squid", "-k", "reconfigure", "-f", (squid_->dir() / "squid.conf").string()}, {},
      10s);
  if (r.exit_code == 0) return "";
  return "squid -k reconfigure failed: " + r.err + r.out;
}

Appliance::Appliance(Options options) : options_(std::move(options)), dir_("pw-" + options_.name) {
  if (options_.proxy_port == 0) squid_ = std::make_unique<DenyingSquid>(options_.hosts);
  const std::string proxy_host = squid_ ? "127.0.0.1" : options_.proxy_host;
  const std::uint16_t proxy_port = squid_ ? squid_->port() : options_.proxy_port;
  dir_.write_file("iprep_proxy.conf", "iprep_proxy {\n  PROXY_HOST " + proxy_host +
                                          ";\n  PROXY_PORT " + std::to_string(proxy_port) +
                                          ";\n}\n");
  std::string hosts;
  for (const auto& [name, address] : options_.etc_hosts) hosts += address + " " + name + "\n";
  if (!hosts.empty()) dir_.write_file("hosts", hosts);
  metrics_port_ = pick_free_port();
  yaml_ = dir_.write_file("proxywatch.yaml",
                          "proxy_file: " + (dir_.path() / "iprep_proxy.conf").string() +
                              "\nmetrics_listen: 127.0.0.1:" + std::to_string(metrics_port_) +
                              "\ninterval: " + options_.interval + "\njitter: " + options_.jitter +
                              "\nstate_dir: " + dir_.path().string() +
                              "\ntimeouts: {proxy_connect: 2s, tls_handshake: 2s}\n"
                              "mtu_probe: {enabled: false, interval: 1h}\n" +
                              options_.extra_yaml + "targets:\n" + options_.targets_yaml);
}

Appliance::~Appliance() {
  stop_daemon();
}

bool Appliance::start_daemon() {
  std::vector<std::string> command{options_.binary.string(), "daemon",       "--config",
                                   yaml_.string(),           "--log-target", "stderr"};
  if (!options_.etc_hosts.empty()) {
    std::string line = "mount --bind '" + (dir_.path() / "hosts").string() + "' /etc/hosts && exec";
    for (const std::string& word : command) line += " '" + word + "'";
    command = {"unshare", "--mount", "--propagation", "private", "sh", "-c", line};
  }
  daemon_ = std::make_unique<ChildProcess>(command, dir_.path() / "daemon.log");
  return wait_until([&] { return !scrape().empty(); }, 10s, 50ms);
}

void Appliance::stop_daemon() {
  if (daemon_) daemon_->terminate();
}

std::string Appliance::deny(const std::vector<std::string>& domains) {
  if (!squid_) return "the appliance's proxy is shared: it has no squid of its own to switch";
  return squid_->deny(domains);
}

void Appliance::reload_daemon() const {
  if (daemon_) kill(daemon_->pid(), SIGHUP);
}

std::string Appliance::proxy_label() const {
  if (!squid_) return options_.proxy_host + ":" + std::to_string(options_.proxy_port);
  return "127.0.0.1:" + std::to_string(squid_->port());
}

std::string Appliance::scrape() const {
  return http_get(metrics_port_, "/metrics");
}

}  // namespace proxywatch::testing
