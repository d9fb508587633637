// MtuNetwork: the test network for the MTU scenarios, shared by `proxywatch check --mtu` and the
// daemon's tests. A client and a server namespace joined by a veth link (VethNamespaces), a CA,
// a TLS origin whose handshake flight spans several segments and squid, both in the server
// namespace; and the iptables rules that lose or reset packets above a size in one direction.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/support/squid.h"
#include "tests/support/temp_dir.h"
#include "tests/support/tls_origin.h"
#include "tests/support/veth_namespaces.h"

namespace proxywatch::testing {

// Packets this large are full-size segments on a 1500-byte link; clamped ones are 576 bytes.
inline const std::string kLargePackets = "1000:65535";

// Everything is made by the constructor (about a second, for squid) and removed by the
// destructor; rules are removed by flush(). Throws std::runtime_error if any part cannot be
// set up. Not thread-safe.
class MtuNetwork {
 public:
  MtuNetwork();
  // Stops squid and the origin, then deletes the namespaces (and with them every rule).
  ~MtuNetwork();
  MtuNetwork(const MtuNetwork&) = delete;
  MtuNetwork& operator=(const MtuNetwork&) = delete;

  const VethNamespaces& net() const { return net_; }
  const std::string& client() const { return net_.client(); }
  const std::string& server() const { return net_.server(); }
  // The CA file that verifies the origin's certificate.
  const std::string& ca_file() const { return ca_file_; }
  // squid as the client namespace reaches it: "10.213.0.2:PORT".
  std::string proxy_address() const;
  std::uint16_t proxy_port() const { return squid_->port(); }
  // The origin as squid reaches it: "origin.test:PORT" (squid's hosts file names 127.0.0.1).
  std::string target() const;
  std::uint16_t origin_port() const { return origin_->port(); }

  // `iptables -A INPUT -i VETH -p tcp -m length --length RANGE -m comment --comment NAME
  // TARGET...` in namespace `ns`: packets of that size arriving there over the link (squid and
  // the origin talk over the server's loopback, with packets of any size). Rules sit on INPUT of
  // the receiving side: Linux TCP builds GSO super-packets, segmented only at transmit (after
  // OUTPUT), so an OUTPUT rule would match one packet bigger than any on the wire. Throws
  // std::runtime_error if iptables fails.
  void rule(const std::string& ns, const std::string& range, const std::string& name,
            std::vector<std::string> target = {}) const;
  // The packet counter of the INPUT rule `name` in `ns`, or -1 when there is none.
  long long packets(const std::string& ns, const std::string& name) const;
  // Removes every rule from both namespaces' filter tables.
  void flush() const;

 private:
  VethNamespaces net_;  // first: outlives the servers inside it
  TempDir dir_{"pw-mtu"};
  std::string ca_file_;
  std::unique_ptr<TlsOrigin> origin_;
  std::unique_ptr<Squid> squid_;
};

}  // namespace proxywatch::testing
