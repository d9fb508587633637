// Capturing probes' own packets (libpcap on the "any" device, Linux): one PacketCapture per
// process, shared by every probe on its io_context. Each probe gets a ProbeCapture, the
// PacketTap it hands to run_probe. The kernel filter names the remote ends the probes announce
// (the proxy's address and port, set before each SYN); each packet then goes to the probe
// whose connection (its local port, bound before the SYN, and both addresses) it belongs to.
// ICMP "fragmentation needed" and ICMPv6 "packet too big" go to the probe whose connection the
// quoted header names. Credentials are masked as packets arrive (credential_mask.h), before
// anything keeps them. Needs CAP_NET_RAW; open() says so when it is missing. Not thread-safe:
// everything runs on the io_context's thread.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "common/capture/probe_packets.h"
#include "common/error.h"
#include "common/probe/packet_tap.h"

namespace proxywatch {

class PacketCapture;

// The capture of one probe: pass it to run_probe (or run_mtu_comparison) as its PacketTap, then
// co_await PacketCapture::finish() for the packets.
class ProbeCapture : public PacketTap {
 public:
  ~ProbeCapture() override;
  ProbeCapture(const ProbeCapture&) = delete;
  ProbeCapture& operator=(const ProbeCapture&) = delete;

  void connecting(const boost::asio::ip::tcp::endpoint& local,
                  const boost::asio::ip::tcp::endpoint& remote) override;

 private:
  friend class PacketCapture;
  struct State;
  explicit ProbeCapture(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

class PacketCapture {
 public:
  // Opens the capture on `ex`'s io_context. The error says what is missing, e.g. "capturing
  // packets needs CAP_NET_RAW (…)", and never holds anything but libpcap's message.
  static Result<std::unique_ptr<PacketCapture>> open(boost::asio::any_io_executor ex);
  ~PacketCapture();
  PacketCapture(const PacketCapture&) = delete;
  PacketCapture& operator=(const PacketCapture&) = delete;

  // A capture for one probe; its connections are watched from their announcement until
  // finish() returns (or the ProbeCapture is destroyed). It may outlive this capture, and then
  // captures nothing more.
  std::unique_ptr<ProbeCapture> start_probe();

  // Ends `probe`'s capture: reads what the kernel holds, waits up to `linger` for the last
  // packets of its connections (a FIN or RST after the probe closed), and returns its packets
  // in the order they were seen. `probe` captures nothing afterwards.
  boost::asio::awaitable<ProbePackets> finish(
      ProbeCapture& probe, std::chrono::milliseconds linger = std::chrono::milliseconds(200));

  // The BPF filter in force now (for tests and logs).
  std::string filter() const;

  // The live capture's state; internal to packet_capture.cc (ProbeCapture reaches it).
  struct Impl;

 private:
  explicit PacketCapture(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace proxywatch
