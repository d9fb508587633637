// libpcap on "any", non-blocking, its descriptor watched by Asio only while a probe has a
// connection announced (an idle daemon never wakes for it). The kernel filter names the remote
// ends the probes connect to (the proxy's address and port) plus ICMP too-big; it changes only
// when a new remote appears, because libpcap's setfilter costs about half a millisecond (it
// flushes the ring). Each packet is then matched in user space to the connection it belongs to
// by the probe's local port, bound before the SYN, and both addresses: packets of the host's
// other connections to the proxy are dropped there.
#include "common/capture/packet_capture.h"

#include <map>
#include <set>
#include <utility>
#include <vector>

#include <pcap/pcap.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/capture/credential_mask.h"
#include "common/capture/packet_headers.h"

namespace proxywatch {

namespace asio = boost::asio;
using capture::PacketEndpoint;

namespace {

// Remote ends the filter names at most; beyond, it is rebuilt with the remote ends of the
// connections watched at the time and the new one (a daemon probes one proxy, so this only
// bounds a pathological set).
constexpr std::size_t kMaxRemotes = 16;
// The kernel's buffer for packets libpcap has not read yet.
constexpr int kKernelBufferBytes = 1 << 20;
// ICMP "fragmentation needed" and ICMPv6 "packet too big", whoever they concern.
constexpr const char* kTooBigFilter =
    "(icmp and icmp[icmptype] == icmp-unreach and icmp[icmpcode] == 4) or "
    "(icmp6 and ip6[40] == 2)";

PacketEndpoint to_packet_endpoint(const asio::ip::tcp::endpoint& endpoint) {
  PacketEndpoint out;
  out.port = endpoint.port();
  auto address = endpoint.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  out.v6 = address.is_v6();
  if (out.v6) {
    out.address = address.to_v6().to_bytes();
  } else {
    auto bytes = address.to_v4().to_bytes();
    std::copy(bytes.begin(), bytes.end(), out.address.begin());
  }
  return out;
}

// The pcap filter words naming `remote`: "host 192.0.2.1 and port 3128".
std::string filter_words(const PacketEndpoint& remote) {
  std::string text = remote.to_string();
  std::string address =
      remote.v6 ? text.substr(1, text.rfind(']') - 1) : text.substr(0, text.rfind(':'));
  return "host " + address + " and port " + std::to_string(remote.port);
}

}  // namespace

struct ProbeCapture::State {
  // Weak: a probe's coroutine (and its ProbeCapture) may be destroyed after the capture, when
  // the io_context that holds it suspended goes away last.
  std::weak_ptr<PacketCapture::Impl> owner;
  ProbePackets packets;
  // Per connection (by local port): the remote end and the mask of what we send on it.
  std::map<std::uint16_t, std::pair<PacketEndpoint, CredentialMask>> connections;
  std::size_t bytes = 0;
  bool finished = false;
};

struct PacketCapture::Impl {
  asio::any_io_executor ex;
  pcap_t* handle = nullptr;
  asio::posix::stream_descriptor descriptor;
  // Local port → the probe that announced a connection from it.
  std::map<std::uint16_t, ProbeCapture::State*> watched;
  // The remote ends the filter names, as pcap filter words ("host 192.0.2.1 and port 3128").
  std::set<std::string> remotes;
  std::string filter = "less 1";
  bool waiting = false;

  Impl(asio::any_io_executor e, pcap_t* h) : ex(std::move(e)), handle(h), descriptor(ex) {}
  ~Impl() {
    descriptor.release();
    pcap_close(handle);
  }

  void watch(ProbeCapture::State* state, std::uint16_t port, const PacketEndpoint& remote);
  void forget(ProbeCapture::State* state);
  void set_filter();
  void arm();
  void drain();
  void deliver(const pcap_pkthdr& header, const unsigned char* bytes);
};

void PacketCapture::Impl::watch(ProbeCapture::State* state, std::uint16_t port,
                                const PacketEndpoint& remote) {
  // Packets queued while nothing was watched belong to nobody: drop them before the SYN.
  if (watched.empty()) drain();
  state->connections[port] = {remote, CredentialMask{}};
  watched[port] = state;
  std::string words = filter_words(remote);
  if (!remotes.contains(words)) {
    if (remotes.size() >= kMaxRemotes) {
      // Keep only the remote ends of the connections watched now.
      remotes.clear();
      for (const auto& [local, owner] : watched) {
        remotes.insert(filter_words(owner->connections.at(local).first));
      }
    }
    remotes.insert(words);
    set_filter();
  }
  arm();
}

void PacketCapture::Impl::forget(ProbeCapture::State* state) {
  std::erase_if(watched, [state](const auto& entry) { return entry.second == state; });
  if (watched.empty() && waiting) {
    boost::system::error_code ignored;
    descriptor.cancel(ignored);
    waiting = false;
  }
}

void PacketCapture::Impl::set_filter() {
  std::string ends;
  for (const auto& words : remotes) ends += (ends.empty() ? "(" : " or (") + words + ")";
  filter = ends.empty() ? "less 1" : "(tcp and (" + ends + ")) or " + kTooBigFilter;
  bpf_program program{};
  // Addresses, ports and fixed words always compile; should libpcap refuse the filter anyway,
  // the previous one stays.
  if (pcap_compile(handle, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) return;
  pcap_setfilter(handle, &program);
  pcap_freecode(&program);
}

void PacketCapture::Impl::arm() {
  if (waiting || watched.empty()) return;
  waiting = true;
  descriptor.async_wait(asio::posix::stream_descriptor::wait_read,
                        [this](const boost::system::error_code& ec) {
                          // Cancelled (forget, or the capture closing): `this` may be gone.
                          if (ec) return;
                          waiting = false;
                          drain();
                          arm();
                        });
}

void PacketCapture::Impl::drain() {
  auto on_packet = [](unsigned char* user, const pcap_pkthdr* header, const unsigned char* bytes) {
    reinterpret_cast<Impl*>(user)->deliver(*header, bytes);
  };
  // Non-blocking: returns 0 once the kernel holds nothing more; bounded in rounds so a flood
  // cannot keep the io thread here.
  for (int round = 0; round < 64; ++round) {
    if (pcap_dispatch(handle, -1, on_packet, reinterpret_cast<unsigned char*>(this)) <= 0) break;
  }
}

void PacketCapture::Impl::deliver(const pcap_pkthdr& header, const unsigned char* bytes) {
  std::string packet(reinterpret_cast<const char*>(bytes), header.caplen);
  int link_type = pcap_datalink(handle);
  auto parsed = capture::parse_packet(link_type, packet);
  ProbeCapture::State* state = nullptr;
  bool outgoing = false;
  bool always_keep = false;
  if (parsed.tcp) {
    const auto& tcp = *parsed.tcp;
    auto match = [&](std::uint16_t local, const PacketEndpoint& remote) {
      auto it = watched.find(local);
      if (it == watched.end()) return false;
      auto conn = it->second->connections.find(local);
      if (conn == it->second->connections.end() || !(conn->second.first == remote)) return false;
      state = it->second;
      return true;
    };
    outgoing = match(tcp.source.port, tcp.destination);
    if (!outgoing && !match(tcp.destination.port, tcp.source)) return;
    always_keep = (tcp.flags & (capture::kFin | capture::kRst)) != 0;
    if (outgoing && tcp.payload_captured > 0) {
      auto& mask = state->connections[tcp.source.port].second;
      std::string payload = packet.substr(tcp.payload_offset, tcp.payload_captured);
      if (mask.apply(tcp.seq, payload)) {
        packet.replace(tcp.payload_offset, payload.size(), payload);
        capture::fix_tcp_checksum(packet, tcp);
      }
    }
  } else if (parsed.too_big) {
    auto it = watched.find(parsed.too_big->quoted_source.port);
    if (it == watched.end()) return;
    state = it->second;
    always_keep = true;
  } else {
    return;
  }
  ProbePackets& out = state->packets;
  bool within =
      out.packets.size() < kMaxPacketsPerProbe && state->bytes + packet.size() <= kMaxBytesPerProbe;
  if (!within && !always_keep) {
    ++out.dropped;
    return;
  }
  if (!within) packet.resize(std::min<std::size_t>(packet.size(), 128));  // headers only
  CapturedPacket kept;
  kept.time = std::chrono::system_clock::time_point(std::chrono::seconds(header.ts.tv_sec) +
                                                    std::chrono::microseconds(header.ts.tv_usec));
  kept.wire_length = header.len;
  state->bytes += packet.size();
  kept.bytes = std::move(packet);
  out.packets.push_back(std::move(kept));
}

ProbeCapture::ProbeCapture(std::shared_ptr<State> state) : state_(std::move(state)) {}

ProbeCapture::~ProbeCapture() {
  auto owner = state_->owner.lock();
  if (!state_->finished && owner) owner->forget(state_.get());
}

void ProbeCapture::connecting(const asio::ip::tcp::endpoint& local,
                              const asio::ip::tcp::endpoint& remote) {
  auto owner = state_->owner.lock();
  if (state_->finished || !owner) return;
  owner->watch(state_.get(), local.port(), to_packet_endpoint(remote));
}

Result<std::unique_ptr<PacketCapture>> PacketCapture::open(asio::any_io_executor ex) {
  char error[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle = pcap_create("any", error);
  if (!handle) return error_text(std::string("cannot capture packets: ") + error);
  pcap_set_snaplen(handle, static_cast<int>(kSnapLength));
  pcap_set_immediate_mode(handle, 1);
  pcap_set_buffer_size(handle, kKernelBufferBytes);
  int status = pcap_activate(handle);
  if (status == PCAP_ERROR_PERM_DENIED || status == PCAP_ERROR_PROMISC_PERM_DENIED) {
    pcap_close(handle);
    return error_text(
        "capturing packets needs CAP_NET_RAW (run as root, or grant the capability: "
        "AmbientCapabilities=CAP_NET_RAW in a drop-in for the unit, docs/capture.md)");
  }
  if (status < 0) {
    std::string message = pcap_geterr(handle);
    pcap_close(handle);
    return error_text("cannot capture packets: " + message);
  }
  if (pcap_setnonblock(handle, 1, error) != 0) {
    pcap_close(handle);
    return error_text(std::string("cannot capture packets: ") + error);
  }
  auto impl = std::make_shared<Impl>(ex, handle);
  boost::system::error_code ec;
  impl->descriptor.assign(pcap_get_selectable_fd(handle), ec);
  if (ec) return error_text("cannot capture packets: " + ec.message());
  impl->set_filter();
  return std::unique_ptr<PacketCapture>(new PacketCapture(std::move(impl)));
}

PacketCapture::PacketCapture(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
PacketCapture::~PacketCapture() = default;

std::unique_ptr<ProbeCapture> PacketCapture::start_probe() {
  auto state = std::make_shared<ProbeCapture::State>();
  state->owner = impl_;
  state->packets.link_type = pcap_datalink(impl_->handle);
  state->packets.snap_length = kSnapLength;
  pcap_stat stats{};
  if (pcap_stats(impl_->handle, &stats) == 0) state->packets.kernel_dropped = stats.ps_drop;
  return std::unique_ptr<ProbeCapture>(new ProbeCapture(std::move(state)));
}

asio::awaitable<ProbePackets> PacketCapture::finish(ProbeCapture& probe,
                                                    std::chrono::milliseconds linger) {
  auto& state = *probe.state_;
  impl_->drain();
  // Only the frame's own variables after the wait: the PacketCapture may be gone by then (the
  // io_context that resumes or destroys this frame outlives it).
  std::weak_ptr<Impl> weak = impl_;
  asio::any_io_executor ex = impl_->ex;
  if (linger.count() > 0 && !state.connections.empty()) {
    asio::steady_timer timer(ex, linger);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  state.finished = true;
  auto impl = weak.lock();
  if (!impl) co_return std::move(state.packets);
  impl->drain();
  impl->forget(&state);
  pcap_stat stats{};
  std::uint64_t dropped_before = state.packets.kernel_dropped;
  state.packets.kernel_dropped =
      pcap_stats(impl->handle, &stats) == 0 && stats.ps_drop >= dropped_before
          ? stats.ps_drop - dropped_before
          : 0;
  co_return std::move(state.packets);
}

std::string PacketCapture::filter() const {
  return impl_->filter;
}

}  // namespace proxywatch
