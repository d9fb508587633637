// `check --capture FILE` and `check --packets`: the capture of check's own probes, the file it
// is written to, and the packet reading added to the timeline or the JSON.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/json/value.hpp>

#include "common/capture/packet_capture.h"
#include "common/capture/probe_packets.h"
#include "common/error.h"
#include "daemon/check_command.h"

namespace proxywatch {

// The capture check's options ask for, on `ex`; nullptr when they ask for none. The error says
// what is missing (CAP_NET_RAW) or that --capture's file exists (it is never overwritten).
Result<std::unique_ptr<PacketCapture>> open_check_capture(const CheckOptions& options,
                                                          boost::asio::any_io_executor ex);

// One probe's packets with the name check prints it under ("normal", "clamped", "padded", or
// empty for a lone probe).
struct NamedPackets {
  std::string name;
  ProbePackets packets;
};

// Writes every probe's packets into `options.capture_file` (one file, in time order) when it is
// set. The error says why the file could not be written.
Result<void> write_check_capture(const CheckOptions& options,
                                 const std::vector<NamedPackets>& probes);

// What check prints after the timeline: the packet reading of each probe (with --packets) and,
// when `written`, where the capture went.
std::string check_capture_text(const CheckOptions& options, const std::vector<NamedPackets>& probes,
                               bool written);

// The same for --json: sets "packets" (each probe's lines and reading) and, when `written`,
// "capture_file" in `json`, an object.
void add_check_capture_json(const CheckOptions& options, const std::vector<NamedPackets>& probes,
                            bool written, boost::json::value& json);

}  // namespace proxywatch
