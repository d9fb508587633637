// TCP_INFO through getsockopt(2); see tcp(7) for the fields.
#include "common/probe/tcp_info.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace proxywatch {

std::optional<TcpInfo> read_tcp_info(int fd) {
  if (fd < 0) return std::nullopt;
  tcp_info raw{};
  socklen_t len = sizeof raw;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &raw, &len) != 0) return std::nullopt;
  TcpInfo info;
  info.rtt_us = raw.tcpi_rtt;
  info.rttvar_us = raw.tcpi_rttvar;
  info.retransmits = raw.tcpi_total_retrans;
  info.snd_mss = raw.tcpi_snd_mss;
  info.rcv_mss = raw.tcpi_rcv_mss;
  info.pmtu = raw.tcpi_pmtu;
  return info;
}

}  // namespace proxywatch
