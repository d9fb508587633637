// MtuNetwork: the certificate with forty names, the origin started inside the server namespace,
// squid told to accept the veth subnet, and iptables rules bound to the veth device.
#include "tests/support/mtu_network.h"

#include "tests/support/test_pki.h"

namespace proxywatch::testing {

MtuNetwork::MtuNetwork() {
  const CertificateAuthority& ca = shared_pki().ca;
  // Forty long names make the certificate (and so the server's flight) about 2.5 kB, more
  // than one 1448-byte segment, as real chains are.
  std::vector<std::string> names{"origin.test"};
  for (int i = 0; i < 40; ++i) {
    names.push_back("subject-alternative-name-number-" + std::to_string(i) + ".origin.test");
  }
  auto leaf = make_leaf(ca, dir_.path(), "origin", names, {});
  ca_file_ = ca.cert_file.string();
  // Created on a thread inside the server namespace, the origin listens on its loopback.
  VethNamespaces::run_inside(
      net_.server(), [&] { origin_ = std::make_unique<TlsOrigin>(leaf.cert_file, leaf.key_file); });
  squid_ = std::make_unique<Squid>(
      Squid::Options{.hosts = {{"origin.test", "127.0.0.1"}},
                     .extra_config = {"acl veth_clients src 10.213.0.0/24"},
                     .extra_http_access = {"http_access allow veth_clients"},
                     .netns = net_.server(),
                     .listen_address = VethNamespaces::kServerAddress});
}

MtuNetwork::~MtuNetwork() {
  squid_.reset();
  origin_.reset();
}

std::string MtuNetwork::proxy_address() const {
  return std::string(VethNamespaces::kServerAddress) + ":" + std::to_string(squid_->port());
}

std::string MtuNetwork::target() const {
  return "origin.test:" + std::to_string(origin_->port());
}

void MtuNetwork::rule(const std::string& ns, const std::string& range, const std::string& name,
                      std::vector<std::string> target) const {
  std::vector<std::string> args{"-A", "INPUT", "-i", net_.device(ns), "-p", "tcp"};
  args.insert(args.end(), {"-m", "length", "--length", range, "-m", "comment", "--comment", name});
  args.insert(args.end(), target.begin(), target.end());
  net_.iptables(ns, args);
}

long long MtuNetwork::packets(const std::string& ns, const std::string& name) const {
  return net_.rule_packets(ns, "INPUT", name);
}

void MtuNetwork::flush() const {
  net_.iptables(client(), {"-F"});
  net_.iptables(server(), {"-F"});
}

}  // namespace proxywatch::testing
