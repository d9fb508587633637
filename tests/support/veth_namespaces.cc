// VethNamespaces: `ip`, `ethtool` and `iptables` run as subprocesses, setns(2) on a helper
// thread for in-process servers.
#include "tests/support/veth_namespaces.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace proxywatch::testing {
namespace {

std::filesystem::path etc_dir(const std::string& ns) {
  return "/etc/netns/" + ns;
}

void run_or_throw(const std::vector<std::string>& argv) {
  ProcessResult r = run_process(argv);
  if (r.exit_code == 0) return;
  std::string command;
  for (const auto& arg : argv) command += arg + " ";
  throw std::runtime_error(command + "failed: " + r.err);
}

}  // namespace

VethNamespaces::VethNamespaces() {
  std::string stem = "pwmtu-" + std::to_string(getpid()) + "-" + std::to_string(++count_);
  client_ = stem + "-client";
  server_ = stem + "-server";
  try {
    build();
  } catch (...) {
    remove();  // no destructor runs for a constructor that throws
    throw;
  }
}

void VethNamespaces::build() {
  for (const std::string* ns : {&client_, &server_}) {
    run_or_throw({"ip", "netns", "add", *ns});
    std::filesystem::create_directories(etc_dir(*ns));
    std::ofstream(etc_dir(*ns) / "resolv.conf") << "nameserver 127.0.0.1\n";
    run_or_throw({"ip", "-n", *ns, "link", "set", "lo", "up"});
  }
  run_or_throw({"ip", "-n", client_, "link", "add", "veth0", "mtu", "1500", "type", "veth", "peer",
                "name", "veth1", "netns", server_});
  run_or_throw(
      {"ip", "-n", client_, "addr", "add", std::string(kClientAddress) + "/24", "dev", "veth0"});
  run_or_throw(
      {"ip", "-n", server_, "addr", "add", std::string(kServerAddress) + "/24", "dev", "veth1"});
  disable_offloads(client_, "veth0");
  disable_offloads(server_, "veth1");
  run_or_throw({"ip", "-n", client_, "link", "set", "veth0", "up"});
  run_or_throw({"ip", "-n", server_, "link", "set", "veth1", "up"});
}

VethNamespaces::~VethNamespaces() {
  remove();
}

void VethNamespaces::remove() noexcept {
  for (const std::string* ns : {&client_, &server_}) {
    try {
      run_process({"ip", "netns", "del", *ns});
    } catch (const std::exception&) {
      // A destructor must not throw; a namespace left over is visible in `ip netns`.
    }
    std::error_code ignored;
    std::filesystem::remove_all(etc_dir(*ns), ignored);
  }
}

void VethNamespaces::disable_offloads(const std::string& ns, const std::string& device) const {
  must(ns, {"ethtool", "-K", device, "tso", "off", "gso", "off", "gro", "off"});
  // Some drivers accept the request and keep a feature [fixed]: check what the kernel did.
  ProcessResult shown = exec(ns, {"ethtool", "-k", device});
  for (const char* feature : {"tcp-segmentation-offload: on", "generic-segmentation-offload: on",
                              "generic-receive-offload: on"}) {
    if (shown.out.find(feature) != std::string::npos) {
      throw std::runtime_error(device + " in " + ns + " still has " + feature);
    }
  }
}

ProcessResult VethNamespaces::exec(const std::string& ns, std::vector<std::string> argv,
                                   std::chrono::milliseconds timeout) const {
  argv.insert(argv.begin(), {"ip", "netns", "exec", ns});
  return run_process(argv, {}, timeout);
}

void VethNamespaces::must(const std::string& ns, std::vector<std::string> argv) const {
  argv.insert(argv.begin(), {"ip", "netns", "exec", ns});
  run_or_throw(argv);
}

void VethNamespaces::run_inside(const std::string& ns, const std::function<void()>& fn) {
  std::exception_ptr error;
  std::thread([&] {
    try {
      int fd = open(("/var/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) throw std::runtime_error("cannot open namespace " + ns);
      int entered = setns(fd, CLONE_NEWNET);
      close(fd);
      if (entered != 0) throw std::runtime_error("cannot enter namespace " + ns);
      fn();
    } catch (...) {
      error = std::current_exception();
    }
  }).join();
  if (error) std::rethrow_exception(error);
}

void VethNamespaces::iptables(const std::string& ns, std::vector<std::string> args) const {
  args.insert(args.begin(), "iptables");
  must(ns, std::move(args));
}

long long VethNamespaces::rule_packets(const std::string& ns, const std::string& chain,
                                       const std::string& comment) const {
  ProcessResult listed = exec(ns, {"iptables", "-L", chain, "-v", "-x", "-n"});
  std::istringstream lines(listed.out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find("/* " + comment + " */") == std::string::npos) continue;
    long long packets = -1;
    std::istringstream(line) >> packets;
    return packets;
  }
  return -1;
}

}  // namespace proxywatch::testing
