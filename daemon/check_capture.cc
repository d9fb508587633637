// check's capture: opened before the probe (so a missing capability or an existing file ends
// check before it sends anything), written after it.
#include "daemon/check_capture.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <boost/json.hpp>

#include "common/capture/packet_reading.h"
#include "common/capture/pcap_file.h"

namespace proxywatch {
namespace {

// Every probe's packets in one list, in the order they were seen.
ProbePackets merged(const std::vector<NamedPackets>& probes) {
  ProbePackets all;
  for (const auto& probe : probes) {
    all.link_type = probe.packets.link_type;
    all.snap_length = std::max(all.snap_length, probe.packets.snap_length);
    all.dropped += probe.packets.dropped;
    all.packets.insert(all.packets.end(), probe.packets.packets.begin(),
                       probe.packets.packets.end());
  }
  std::stable_sort(
      all.packets.begin(), all.packets.end(),
      [](const CapturedPacket& a, const CapturedPacket& b) { return a.time < b.time; });
  return all;
}

std::size_t packet_count(const std::vector<NamedPackets>& probes) {
  std::size_t n = 0;
  for (const auto& probe : probes) n += probe.packets.packets.size();
  return n;
}

boost::json::object reading_json(const PacketReading& reading) {
  boost::json::array lines;
  for (const PacketLine& line : reading.lines) {
    lines.push_back({{"seconds", line.seconds},
                     {"connection", line.connection},
                     {"direction", line.direction == PacketDirection::kOut ? "out" : "in"},
                     {"flags", line.flags},
                     {"seq", line.seq},
                     {"length", line.length},
                     {"wire_length", line.wire_length},
                     {"options", line.options},
                     {"what", line.what}});
  }
  return {{"lines", std::move(lines)},
          {"reading", reading.reading},
          {"retransmissions_out", reading.retransmissions_out},
          {"retransmissions_in", reading.retransmissions_in},
          {"duplicate_acks", reading.duplicate_acks},
          {"missing_in_bytes", reading.missing_in_bytes},
          {"reset_by_peer", reading.reset_by_peer},
          {"fin_by_peer", reading.fin_by_peer},
          {"icmp_frag_needed", reading.icmp_frag_needed}};
}

}  // namespace

Result<std::unique_ptr<PacketCapture>> open_check_capture(const CheckOptions& options,
                                                          boost::asio::any_io_executor ex) {
  if (!options.capture_file && !options.packets) return std::unique_ptr<PacketCapture>();
  if (options.capture_file) {
    struct stat st {};
    if (::lstat(options.capture_file->c_str(), &st) == 0) {
      return error_text("--capture: " + *options.capture_file +
                        " exists; check never overwrites a file (remove it or name another)");
    }
    // A folder that cannot take the file fails now, before the probe, not after it.
    std::filesystem::path folder = std::filesystem::path(*options.capture_file).parent_path();
    if (folder.empty()) folder = ".";
    if (::access(folder.c_str(), W_OK | X_OK) != 0) {
      return error_text("--capture: cannot create a file in " + folder.string() + ": " +
                        std::strerror(errno));
    }
  }
  auto capture = PacketCapture::open(std::move(ex));
  if (!capture) {
    return in_context(options.capture_file ? "--capture: " : "--packets: ", capture.error());
  }
  return std::move(*capture);
}

Result<void> write_check_capture(const CheckOptions& options,
                                 const std::vector<NamedPackets>& probes) {
  if (!options.capture_file) return {};
  auto written = write_pcap_file(*options.capture_file, merged(probes));
  if (!written) return in_context("--capture: ", written.error());
  return {};
}

std::string check_capture_text(const CheckOptions& options, const std::vector<NamedPackets>& probes,
                               bool written) {
  std::string out;
  if (options.packets) {
    for (const auto& probe : probes) {
      out += probe.name.empty() ? "packets:\n" : "packets of the " + probe.name + " probe:\n";
      out += format_packet_reading(read_packets(probe.packets));
    }
  }
  if (options.capture_file && written) {
    out += "capture: " + *options.capture_file + " (" + std::to_string(packet_count(probes)) +
           " packets, credentials masked)\n";
  }
  return out;
}

void add_check_capture_json(const CheckOptions& options, const std::vector<NamedPackets>& probes,
                            bool written, boost::json::value& json) {
  auto& object = json.as_object();
  if (options.packets) {
    if (probes.size() == 1 && probes.front().name.empty()) {
      object["packets"] = reading_json(read_packets(probes.front().packets));
    } else {
      boost::json::object each;
      for (const auto& probe : probes) each[probe.name] = reading_json(read_packets(probe.packets));
      object["packets"] = std::move(each);
    }
  }
  if (options.capture_file && written) object["capture_file"] = *options.capture_file;
}

}  // namespace proxywatch
