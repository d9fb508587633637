// VethNamespaces: two network namespaces made by a test and joined by a veth pair, so that
// traffic between a client and a proxy crosses a real link that iptables can filter by packet
// size (the guide's MTU problems). Segmentation offloads are off on both ends: with TSO/GSO/GRO
// iptables would see super-packets larger than the MSS, and a clamped MSS would not keep the
// packets on the link small.
#pragma once

#include "tests/support/process.h"

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace proxywatch::testing {

// Namespaces "…-client" (veth address kClientAddress/24) and "…-server" (kServerAddress/24),
// each with loopback up and a resolv.conf naming 127.0.0.1 (`ip netns exec` reads
// /etc/netns/NAME/resolv.conf), so nothing inside ever asks the machine's resolver. The veth
// MTU is 1500. Deleting the namespaces removes the link and every iptables rule in them.
// Not thread-safe.
class VethNamespaces {
 public:
  static constexpr const char* kClientAddress = "10.213.0.1";
  static constexpr const char* kServerAddress = "10.213.0.2";

  // Creates both namespaces and the link, and checks that the offloads are off; throws
  // std::runtime_error (with the failing command's stderr) on any failure.
  VethNamespaces();
  // Deletes both namespaces and their /etc/netns directories; errors are ignored.
  ~VethNamespaces();
  VethNamespaces(const VethNamespaces&) = delete;
  VethNamespaces& operator=(const VethNamespaces&) = delete;

  const std::string& client() const { return client_; }
  const std::string& server() const { return server_; }

  // The veth device's name in namespace `ns` (either of the two), for iptables' `-i`/`-o`:
  // each namespace also has loopback traffic of its own.
  std::string device(const std::string& ns) const { return ns == client_ ? "veth0" : "veth1"; }

  // Runs argv inside namespace `ns` (`ip netns exec`), with a hard timeout.
  ProcessResult exec(const std::string& ns, std::vector<std::string> argv,
                     std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;

  // Runs `fn` on a thread that has entered namespace `ns` and waits for it: sockets `fn` opens
  // belong to `ns` for their whole life (setns(2) changes only that thread). Throws
  // std::runtime_error if the namespace cannot be entered.
  static void run_inside(const std::string& ns, const std::function<void()>& fn);

  // `iptables ARGS` inside `ns`; throws std::runtime_error if it fails.
  void iptables(const std::string& ns, std::vector<std::string> args) const;

  // The packet counter of the first rule in `chain` of `ns` whose line contains `comment` (an
  // iptables `-m comment` text), or -1 when there is none.
  long long rule_packets(const std::string& ns, const std::string& chain,
                         const std::string& comment) const;

 private:
  void build();
  void remove() noexcept;
  void must(const std::string& ns, std::vector<std::string> argv) const;
  void disable_offloads(const std::string& ns, const std::string& device) const;

  static inline int count_ = 0;
  std::string client_;
  std::string server_;
};

}  // namespace proxywatch::testing
