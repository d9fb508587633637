// Parsing a Host header value (RFC 9110 §7.2: uri-host [":" port]) and comparing its host with
// the listener's names and addresses.
#include "common/output/web/host_allow_list.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>

namespace proxywatch {
namespace {

bool host_allow_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

bool host_allow_port_ok(std::string_view port) {
  return std::all_of(port.begin(), port.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// An address without its IPv6 scope id, and an IPv4-mapped IPv6 address as the IPv4 one.
asio::ip::address host_allow_plain(asio::ip::address address) {
  if (!address.is_v6()) return address;
  asio::ip::address_v6 v6 = address.to_v6();
  if (v6.is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, v6);
  v6.scope_id(0);
  return v6;
}

// The address `host` (as normalized_host gives it) writes, if it is an IP literal.
std::optional<asio::ip::address> host_allow_literal(const std::string& host) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return std::nullopt;
  return host_allow_plain(address);
}

}  // namespace

std::vector<asio::ip::address> host_interface_addresses() {
  std::vector<asio::ip::address> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  std::unique_ptr<ifaddrs, decltype(&freeifaddrs)> owner(list, freeifaddrs);
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr) continue;
    if (i->ifa_addr->sa_family == AF_INET) {
      const auto* in = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
      out.push_back(asio::ip::address_v4(ntohl(in->sin_addr.s_addr)));
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr);
      asio::ip::address_v6::bytes_type bytes;
      std::memcpy(bytes.data(), in6->sin6_addr.s6_addr, bytes.size());
      out.push_back(asio::ip::address_v6(bytes));
    }
  }
  return out;
}

std::optional<std::string> normalized_host(std::string_view value) {
  std::string_view host = value;
  std::string_view port;
  if (value.starts_with('[')) {
    auto close = value.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = value.substr(1, close - 1);
    std::string_view rest = value.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return std::nullopt;
    port = rest.empty() ? rest : rest.substr(1);
    // An IPv6 zone ("fe80::1%25eth0", RFC 6874) is not compared.
    host = host.substr(0, host.find('%'));
    if (!host_allow_literal(std::string(host))) return std::nullopt;
  } else {
    auto colon = value.find(':');
    if (colon != std::string_view::npos) {
      host = value.substr(0, colon);
      port = value.substr(colon + 1);
    }
    if (!std::all_of(host.begin(), host.end(), host_allow_name_char)) return std::nullopt;
  }
  if (!host_allow_port_ok(port)) return std::nullopt;
  if (host.ends_with('.')) host.remove_suffix(1);
  if (host.empty()) return std::nullopt;
  std::string out(host);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

HostAllowList::HostAllowList(asio::ip::address listen, const std::vector<std::string>& names,
                             AddressSource interfaces)
    : listen_(host_allow_plain(listen)), interfaces_(std::move(interfaces)) {
  for (const std::string& name : names) {
    if (name == "*") any_ = true;
    auto host = normalized_host(name);
    if (!host) continue;
    if (auto address = host_allow_literal(*host)) {
      addresses_.push_back(*address);
    } else {
      names_.push_back(std::move(*host));
    }
  }
}

bool HostAllowList::allows(std::string_view host_header) const {
  if (any_) return true;
  auto host = normalized_host(host_header);
  if (!host) return false;
  if (auto address = host_allow_literal(*host)) return allows_address(*address);
  if (*host == "localhost" || host->ends_with(".localhost")) return true;
  return std::find(names_.begin(), names_.end(), *host) != names_.end();
}

bool HostAllowList::allows_address(const asio::ip::address& address) const {
  if (address.is_loopback() || address == listen_) return true;
  if (std::find(addresses_.begin(), addresses_.end(), address) != addresses_.end()) return true;
  if (!listen_.is_unspecified() || !interfaces_) return false;
  for (const asio::ip::address& own : interfaces_()) {
    if (host_allow_plain(own) == address) return true;
  }
  return false;
}

}  // namespace proxywatch
