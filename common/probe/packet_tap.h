// Who watches a probe's packets: the probe announces each TCP connection it is about to open —
// its socket already bound to its local port, before connect(2) sends the SYN — so a capture
// (common/capture/) can filter on that connection before its first packet. The probe knows
// nothing of the capture; without a tap it neither binds early nor announces anything.
#pragma once

#include <boost/asio/ip/tcp.hpp>

namespace proxywatch {

class PacketTap {
 public:
  virtual ~PacketTap() = default;

  // Called synchronously, after bind(2) gave the socket its local port (`local`; its address
  // may still be the wildcard) and before connect(2) to `remote`. Must not block for long: the
  // probe's tcp_connect phase is waiting.
  virtual void connecting(const boost::asio::ip::tcp::endpoint& local,
                          const boost::asio::ip::tcp::endpoint& remote) = 0;
};

}  // namespace proxywatch
