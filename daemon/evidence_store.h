// The daemon's evidence of failures (docs/capture.md, "In the daemon"): the packets of each
// pair's latest probe kept in memory (the "ring": one probe per pair, at most kMaxBytesPerProbe
// each), written as a pcap file under state_dir/captures only when the daemon asks — when a
// probe failed, or when it changed the pair's health — and the files pruned to the newest
// max_files, max_bytes and max_age after every write and at start. It remembers, per pair, the
// newest file it wrote and that file's packet reading, for the journal and the status page.
//
// Files are written inline, on the io_context thread: a probe's capture is bounded at
// kMaxBytesPerProbe (256 KiB; a typical failure is 10–30 packets, a few KiB), one file is one
// open/write/close on the local state directory, and pruning lists one directory of at most
// max_files files plus the one just written. That costs less than a probe's own TLS handshake,
// and it happens after the probe's result was taken, so no probe's timing includes it.
// Not thread-safe: the io_context thread only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/capture/probe_packets.h"
#include "common/error.h"
#include "common/history/outcome_window.h"
#include "common/history/pair_registry.h"
#include "common/probe_spec.h"

namespace proxywatch {

// The bounds of the captures directory (capture: in the YAML).
struct EvidenceLimits {
  std::size_t max_files = 20;
  std::uint64_t max_bytes = 50ULL << 20;
  Millis max_age{7LL * 86'400'000};
};

// A capture file the store wrote, and what its packets say.
struct CaptureFileInfo {
  std::string name{};  // the file's name in the captures directory (no directory part)
  WallTime at{};       // when it was written
  std::string outcome{};
  std::string timeline{};  // format_packet_reading(): one line per packet and the reading
  std::string reading{};   // the reading sentence alone
};

// Whether a probe's packets are written: when it failed, or when it moved its pair's health —
// except a pair's first verdict "healthy" (from unknown), which every start would write.
bool capture_wanted(bool failed, const TrackerChanges& changes);

// The captures directory under `state_dir`.
std::string captures_dir(const std::string& state_dir);

// The file name for a probe of `target` that ended with `outcome` at `at`:
// "20261205T064812.123Z-TARGET-OUTCOME.pcap", every character outside [A-Za-z0-9_.-] replaced
// by '_'.
std::string capture_file_name(WallTime at, std::string_view target, std::string_view outcome);

// Whether `name` is a name the store could have written: [A-Za-z0-9_.-], ends in ".pcap", does
// not start with '.', at most 255 bytes. What the listener checks before it looks at the disk.
bool is_capture_file_name(std::string_view name);

class EvidenceStore {
 public:
  // Keeps files in `dir` (created mode 0700 when missing) within `limits`.
  EvidenceStore(std::string dir, EvidenceLimits limits);

  // Keeps `packets` as `key`'s latest probe, replacing the one before.
  void keep(const PairKey& key, ProbePackets packets);

  // Writes `key`'s latest probe (keep()) as a pcap file named for `outcome` and `now` (mode
  // 0600), remembers it as the pair's newest file and prunes. Returns the file's info; an error
  // when there is no probe kept for `key` or the file cannot be written.
  Result<CaptureFileInfo> write(const PairKey& key, std::string_view outcome, WallTime now);
  // The same with `packets` instead of the kept probe (an MTU comparison's three probes).
  Result<CaptureFileInfo> write(const PairKey& key, const ProbePackets& packets,
                                std::string_view outcome, WallTime now);

  // Deletes the oldest *.pcap files (by modification time) beyond max_files, max_bytes, and
  // those older than max_age at `now`; forgets the pairs' files that went. Returns how many
  // files remain.
  std::size_t prune(WallTime now);

  // The newest file written for `key` that still exists, or nullptr.
  const CaptureFileInfo* latest(const PairKey& key) const;

  // Drops what it keeps of pairs not in `keys` (the plan changed); files stay until pruned.
  void retain(const std::vector<PairKey>& keys);

  // Bytes of packets held in memory (the ring).
  std::size_t ring_bytes() const;
  // The files prune() left.
  std::size_t files() const { return files_; }

  const std::string& dir() const { return dir_; }

 private:
  struct Pair {
    std::optional<ProbePackets> latest;
    std::optional<CaptureFileInfo> file;
  };
  std::string dir_;
  EvidenceLimits limits_;
  std::map<PairKey, Pair> pairs_;
  std::size_t files_ = 0;
};

}  // namespace proxywatch
