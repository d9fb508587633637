// Capture files: a probe's packets written as a classic pcap file (libpcap's pcap_dump), which
// tcpdump -r and Wireshark open, and read back. Files are created mode 0600, never through a
// symlink, never over an existing file.
#pragma once

#include <string>

#include "common/capture/probe_packets.h"
#include "common/error.h"

namespace proxywatch {

// Writes `packets` to a new file `path` (O_EXCL|O_NOFOLLOW, 0600).
Result<void> write_pcap_file(const std::string& path, const ProbePackets& packets);

// Reads a pcap file written by write_pcap_file (or tcpdump).
Result<ProbePackets> read_pcap_file(const std::string& path);

}  // namespace proxywatch
