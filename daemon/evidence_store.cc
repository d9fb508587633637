// The ring of latest probes, the pcap files of failures, and their pruning.
#include "daemon/evidence_store.h"

#include <sys/stat.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/capture/packet_reading.h"
#include "common/capture/pcap_file.h"

namespace proxywatch {
namespace {

namespace fs = std::filesystem;

bool evidence_safe_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

std::string evidence_sanitised(std::string_view text) {
  std::string out(text.substr(0, 100));
  for (char& c : out) {
    if (!evidence_safe_char(c)) c = '_';
  }
  return out;
}

struct EvidenceFile {
  fs::path path;
  fs::file_time_type modified;
  std::uintmax_t size = 0;
};

// The *.pcap regular files in `dir`, oldest first (by modification time, then name).
std::vector<EvidenceFile> evidence_files(const std::string& dir) {
  std::vector<EvidenceFile> files;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    std::error_code entry_ec;
    if (entry.path().extension() != ".pcap" || !entry.is_regular_file(entry_ec)) continue;
    if (entry.is_symlink(entry_ec)) continue;
    auto modified = entry.last_write_time(entry_ec);
    auto size = entry.file_size(entry_ec);
    if (!entry_ec) files.push_back({entry.path(), modified, size});
  }
  std::sort(files.begin(), files.end(), [](const EvidenceFile& a, const EvidenceFile& b) {
    return a.modified != b.modified ? a.modified < b.modified : a.path < b.path;
  });
  return files;
}

}  // namespace

bool capture_wanted(bool failed, const TrackerChanges& changes) {
  if (failed) return true;
  if (!changes.health_from) return false;
  return !(*changes.health_from == HealthState::kUnknown &&
           changes.health == HealthState::kHealthy);
}

std::string captures_dir(const std::string& state_dir) {
  return (fs::path(state_dir) / "captures").string();
}

std::string capture_file_name(WallTime at, std::string_view target, std::string_view outcome) {
  auto seconds = std::chrono::floor<std::chrono::seconds>(at);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(at - seconds).count();
  std::time_t t = std::chrono::system_clock::to_time_t(seconds);
  std::tm utc{};
  ::gmtime_r(&t, &utc);
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}.{:03}Z-{}-{}.pcap", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, millis,
                     evidence_sanitised(target), evidence_sanitised(outcome));
}

bool is_capture_file_name(std::string_view name) {
  return !name.empty() && name.size() <= 255 && name.front() != '.' && name.ends_with(".pcap") &&
         std::all_of(name.begin(), name.end(), evidence_safe_char);
}

EvidenceStore::EvidenceStore(std::string dir, EvidenceLimits limits)
    : dir_(std::move(dir)), limits_(limits) {
  std::error_code ec;
  if (fs::create_directories(dir_, ec)) ::chmod(dir_.c_str(), 0700);
  if (ec) spdlog::warn("cannot create the captures directory {}: {}", dir_, ec.message());
}

void EvidenceStore::keep(const PairKey& key, ProbePackets packets) {
  pairs_[key].latest = std::move(packets);
}

Result<CaptureFileInfo> EvidenceStore::write(const PairKey& key, std::string_view outcome,
                                             WallTime now) {
  auto it = pairs_.find(key);
  if (it == pairs_.end() || !it->second.latest) {
    return error_text("no packets were captured of " + key.second + "'s latest probe");
  }
  return write(key, *it->second.latest, outcome, now);
}

Result<CaptureFileInfo> EvidenceStore::write(const PairKey& key, const ProbePackets& packets,
                                             std::string_view outcome, WallTime now) {
  CaptureFileInfo info{.name = capture_file_name(now, key.second, outcome),
                       .at = now,
                       .outcome = std::string(outcome)};
  if (auto written = write_pcap_file((fs::path(dir_) / info.name).string(), packets); !written) {
    return written.error();
  }
  PacketReading reading = read_packets(packets);
  info.timeline = format_packet_reading(reading);
  info.reading = reading.reading;
  pairs_[key].file = info;
  prune(now);
  return info;
}

std::size_t EvidenceStore::prune(WallTime now) {
  std::vector<EvidenceFile> files = evidence_files(dir_);
  std::uintmax_t total = 0;
  for (const EvidenceFile& f : files) total += f.size;
  const auto oldest_kept = now - limits_.max_age;
  std::size_t removed = 0;
  for (const EvidenceFile& f : files) {
    std::size_t left = files.size() - removed;
    auto modified = std::chrono::file_clock::to_sys(f.modified);
    bool over = left > limits_.max_files || total > limits_.max_bytes || modified < oldest_kept;
    if (!over) break;  // oldest first: every newer file is within the bounds too
    std::error_code ec;
    fs::remove(f.path, ec);
    if (ec) {
      spdlog::warn("cannot delete the capture {}: {}", f.path.string(), ec.message());
      break;
    }
    ++removed;
    total -= f.size;
    std::string name = f.path.filename().string();
    for (auto& [key, pair] : pairs_) {
      if (pair.file && pair.file->name == name) pair.file.reset();
    }
  }
  files_ = files.size() - removed;
  return files_;
}

const CaptureFileInfo* EvidenceStore::latest(const PairKey& key) const {
  auto it = pairs_.find(key);
  return it != pairs_.end() && it->second.file ? &*it->second.file : nullptr;
}

void EvidenceStore::retain(const std::vector<PairKey>& keys) {
  std::erase_if(pairs_, [&](const auto& entry) {
    return std::find(keys.begin(), keys.end(), entry.first) == keys.end();
  });
}

std::size_t EvidenceStore::ring_bytes() const {
  std::size_t bytes = 0;
  for (const auto& [key, pair] : pairs_) {
    if (pair.latest) bytes += pair.latest->bytes();
  }
  return bytes;
}

}  // namespace proxywatch
