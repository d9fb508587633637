// Reading the kernel's TCP_INFO for a connected socket: the evidence for retransmissions,
// segment sizes and the path MTU that the guide otherwise gets from tcpdump.
#pragma once

#include <optional>

#include "common/probe_result.h"

namespace proxywatch {

// TCP_INFO of socket `fd`, or nullopt when the socket is closed or not TCP.
std::optional<TcpInfo> read_tcp_info(int fd);

}  // namespace proxywatch
