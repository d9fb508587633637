// pcap files through libpcap: pcap_open_dead + pcap_dump_fopen on a descriptor we opened
// ourselves (so the mode and O_NOFOLLOW are ours, not the umask's), pcap_open_offline to read.
#include "common/capture/pcap_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <pcap/pcap.h>

namespace proxywatch {
namespace {

struct PcapCloser {
  void operator()(pcap_t* p) const { pcap_close(p); }
};
using PcapHandle = std::unique_ptr<pcap_t, PcapCloser>;

Result<void> write_packets(pcap_dumper_t* dumper, const ProbePackets& packets) {
  for (const CapturedPacket& packet : packets.packets) {
    pcap_pkthdr header{};
    auto since_epoch = packet.time.time_since_epoch();
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    header.ts.tv_sec = static_cast<time_t>(seconds.count());
    header.ts.tv_usec = static_cast<suseconds_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(since_epoch - seconds).count());
    header.caplen = static_cast<bpf_u_int32>(packet.bytes.size());
    header.len = std::max<bpf_u_int32>(packet.wire_length, header.caplen);
    pcap_dump(reinterpret_cast<unsigned char*>(dumper), &header,
              reinterpret_cast<const unsigned char*>(packet.bytes.data()));
  }
  if (pcap_dump_flush(dumper) != 0) return error_text(std::strerror(errno));
  return {};
}

}  // namespace

Result<void> write_pcap_file(const std::string& path, const ProbePackets& packets) {
  PcapHandle dead(pcap_open_dead(packets.link_type, static_cast<int>(packets.snap_length)));
  if (!dead) return error_text("cannot write " + path + ": libpcap has no such link type");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return error_text("cannot create " + path + ": " + std::strerror(errno));
  FILE* file = fdopen(fd, "wb");
  if (!file) {
    ::close(fd);
    ::unlink(path.c_str());
    return error_text("cannot write " + path + ": " + std::strerror(errno));
  }
  pcap_dumper_t* dumper = pcap_dump_fopen(dead.get(), file);
  if (!dumper) {
    std::fclose(file);
    ::unlink(path.c_str());
    return error_text("cannot write " + path + ": " + pcap_geterr(dead.get()));
  }
  auto written = write_packets(dumper, packets);
  // pcap_dump_close closes the FILE; a failed close (a full disk) is a failed write.
  bool closed = std::fflush(file) == 0;
  pcap_dump_close(dumper);
  if (!written || !closed) {
    ::unlink(path.c_str());
    return error_text("cannot write " + path + ": " +
                      (written ? std::string(std::strerror(errno)) : written.error().to_string()));
  }
  return {};
}

Result<ProbePackets> read_pcap_file(const std::string& path) {
  char error[PCAP_ERRBUF_SIZE] = {};
  PcapHandle handle(pcap_open_offline(path.c_str(), error));
  if (!handle) return error_text("cannot read " + path + ": " + error);
  ProbePackets packets;
  packets.link_type = pcap_datalink(handle.get());
  packets.snap_length = static_cast<std::uint32_t>(pcap_snapshot(handle.get()));
  pcap_pkthdr* header = nullptr;
  const unsigned char* data = nullptr;
  int status = 0;
  while ((status = pcap_next_ex(handle.get(), &header, &data)) == 1) {
    CapturedPacket packet;
    packet.time = std::chrono::system_clock::time_point(
        std::chrono::seconds(header->ts.tv_sec) + std::chrono::microseconds(header->ts.tv_usec));
    packet.wire_length = header->len;
    packet.bytes.assign(reinterpret_cast<const char*>(data), header->caplen);
    packets.packets.push_back(std::move(packet));
  }
  if (status == PCAP_ERROR) {
    return error_text("cannot read " + path + ": " + pcap_geterr(handle.get()));
  }
  return packets;
}

}  // namespace proxywatch
