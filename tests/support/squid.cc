// Squid: config generation and the start/stop of one squid process.
#include "tests/support/squid.h"
#include "tests/support/server_limits.h"

#include "tests/support/wait.h"

#include <stdexcept>

namespace proxywatch::testing {
namespace {

std::string joined_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

}  // namespace

Squid::Squid(Options options) : dir_("proxywatch-squid"), options_(std::move(options)) {
  // Squid starts as root and drops to proxy, which must then write its logs and pid file here.
  dir_.give_to_user("proxy");
  std::string hosts;
  for (const auto& [name, address] : options_.hosts) hosts += address + " " + name + "\n";
  dir_.write_file("hosts", hosts);
  for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
    if (try_start(pick_free_port())) return;
    // Bad config exits too, so a retry costs little; the last attempt's log tells which.
  }
  throw std::runtime_error("squid did not start; cache.log ends with:\n" + tail(cache_log()) +
                           "\nstdout/stderr:\n" + tail(dir_.read_file("squid.out")));
}

Squid::~Squid() {
  if (process_) process_->terminate(kStopGrace);
}

bool Squid::try_start(std::uint16_t port) {
  const auto conf = dir_.write_file("squid.conf", config(port));
  std::vector<std::string> argv{"/usr/sbin/squid", "-N", "-f", conf.string()};
  // `ip netns exec` execs squid in place, so the child's pid is still squid's.
  if (!options_.netns.empty()) argv.insert(argv.begin(), {"ip", "netns", "exec", options_.netns});
  process_ = std::make_unique<ChildProcess>(argv, dir() / "squid.out");
  if (wait_until_listening(port) == ListenerState::kListening) {
    port_ = port;
    return true;
  }
  process_->terminate(kStopGrace);
  return false;
}

ListenerState Squid::wait_until_listening(std::uint16_t port) {
  // Squid logs this line once the port is open; it tells our listener from a port thief.
  const std::string announcement =
      "local=" + options_.listen_address + ":" + std::to_string(port) + " ";
  const auto announced = [&] { return cache_log().find(announcement) != std::string::npos; };
  if (options_.netns.empty()) return wait_for_listener(*process_, port, announced, kStartDeadline);
  // Inside a namespace of its own no other process can hold the port: the log line suffices.
  bool done = wait_until([&] { return announced() || !process_->running(); }, kStartDeadline);
  if (done && announced()) return ListenerState::kListening;
  return done ? ListenerState::kExited : ListenerState::kTimedOut;
}

std::string Squid::config(std::uint16_t port) const {
  const std::string dir = dir_.path().string();
  std::string text = "http_port " + options_.listen_address + ":" + std::to_string(port) + "\n" +
                     "visible_hostname proxywatch-test\n"
                     "cache_effective_user proxy\n"
                     "pid_filename " +
                     dir + "/squid.pid\n" + "cache_log " + dir + "/cache.log\n" +
                     "access_log stdio:" + dir + "/access.log\n" + "coredump_dir " + dir + "\n" +
                     "hosts_file " + dir + "/hosts\n" +
                     "dns_nameservers 127.0.0.1\n"
                     "dns_timeout 3 seconds\n"
                     "shutdown_lifetime 0 seconds\n"
                     "cache_mem 8 MB\n"
                     "pinger_enable off\n"
                     "netdb_filename none\n"
                     "acl SSL_ports port 1-65535\n"
                     "acl CONNECT method CONNECT\n";
  if (!options_.denied_domains.empty()) {
    text += "acl denied dstdomain";
    for (const std::string& domain : options_.denied_domains) text += " " + domain;
    text += "\n";
  }
  text += joined_lines(options_.extra_config);
  text += "http_access deny CONNECT !SSL_ports\n";
  if (!options_.denied_domains.empty()) text += "http_access deny denied\n";
  text += joined_lines(options_.extra_http_access);
  return text + "http_access allow localhost\nhttp_access deny all\n";
}

}  // namespace proxywatch::testing
