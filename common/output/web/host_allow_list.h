// HostAllowList: which Host header values the listener answers, against DNS rebinding. A page
// on attacker.example whose name the attacker re-points at 127.0.0.1 (or a browser reaching the
// listener through an `ssh -L` forward) makes requests the browser considers same-origin, so it
// may read /status.json; but they carry `Host: attacker.example`, which no name of the listener
// matches. Allowed: the listener's own addresses (for 0.0.0.0 or :: every interface address of
// the host), the loopback addresses, "localhost" and names under ".localhost" (RFC 6761 §6.3:
// resolved to loopback by the client itself, never by DNS), and the names the operator
// configures (`metrics_allowed_hosts`). The port is not compared: through a forward it is the
// client's local port.
//
// Thread-safety: immutable after construction; allows() may be called from any thread at once
// (the interface source it calls must be thread-safe, as host_interface_addresses() is).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>

namespace proxywatch {

namespace asio = boost::asio;

// The addresses of the host's network interfaces now (getifaddrs), without IPv6 scope ids;
// empty when they cannot be read.
std::vector<asio::ip::address> host_interface_addresses();

// The host of a Host header value in a form to compare: without the port, without the brackets
// of an IPv6 literal, lowercase, without one trailing dot. nullopt when it is no host
// ("", "[::1", "a b", a port that is not digits).
std::optional<std::string> normalized_host(std::string_view host_header);

class HostAllowList {
 public:
  using AddressSource = std::function<std::vector<asio::ip::address>()>;

  // For a listener bound to `listen`. `names` are the operator's (host names or IP literals,
  // compared as normalized_host does; "*" allows every host). `interfaces` is asked at each
  // check of an address literal when `listen` is unspecified (0.0.0.0 or ::), so an address
  // the host gains after start counts.
  HostAllowList(asio::ip::address listen, const std::vector<std::string>& names,
                AddressSource interfaces = host_interface_addresses);

  // Whether a request whose Host header is `host_header` ("name", "name:port", "[v6]:port",
  // any case, a trailing dot allowed) is for this listener.
  bool allows(std::string_view host_header) const;

 private:
  bool allows_address(const asio::ip::address& address) const;

  asio::ip::address listen_;
  std::vector<std::string> names_;            // normalized
  std::vector<asio::ip::address> addresses_;  // configured address literals
  AddressSource interfaces_;
  bool any_ = false;  // "*" was configured
};

}  // namespace proxywatch
