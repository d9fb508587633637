// The state file's JSON (Boost.JSON, whose implementation result_json.cc compiles) and its
// atomic replacement. Reading goes through Boost.JSON's checked accessors, which throw on a
// wrong kind; state_from_json catches that and returns it as the file's error, so a bad file
// is data, never a crash.
#include "common/output/store/state_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <boost/json.hpp>

#include "common/output/json/history_json.h"
#include "common/output/json/json_fields.h"
#include "common/regular_file.h"

namespace proxywatch {
namespace {

namespace json = boost::json;

constexpr std::string_view kFormat = "proxywatch-state";
constexpr std::size_t kMaxSamplesPerPair = 100'000;

// Version 1 wrote a sample as {"at_ms", "outcome", "phase", "reset", "phase_seconds": [6 doubles
// or null]}; version 2 writes the shared form (history_json.h). A version-1 sample is put into
// that form and read like any other; the next save writes version 2.
json::object sample_v1_as_v2(const json::object& o) {
  const json::array& seconds = o.at("phase_seconds").as_array();
  if (seconds.size() != kAllPhases.size()) json_bad("phase_seconds has the wrong length");
  json::object phases;
  for (Phase p : kAllPhases) {
    const json::value& d = seconds[static_cast<std::size_t>(p)];
    if (d.is_null()) continue;
    double value = json::value_to<double>(d);
    // 1e400 parses as infinity, which JSON cannot hold: the next save would not load again.
    if (!std::isfinite(value) || value < 0) json_bad("phase_seconds holds an impossible time");
    phases[to_string(p)] = json_micros(Seconds(value));
  }
  return {{"at_unix_ms", o.at("at_ms")},
          {"outcome", o.at("outcome")},
          {"phase", o.at("phase")},
          {"reset", o.at("reset")},
          {"phases_us", std::move(phases)}};
}

json::object pair_json(const PairState& pair) {
  const PairHistory& h = pair.history;
  json::array samples;
  for (const Sample& s : h.window.samples()) samples.push_back(sample_json(s));
  json::array diagnoses;
  for (const auto& [d, active] : h.active) {
    diagnoses.push_back(json::object{{"name", to_string(d)},
                                     {"since_unix_ms", json_unix_ms(active.since)},
                                     {"evidence", evidence_json(active.evidence)}});
  }
  return {{"proxy", pair.proxy},
          {"target", pair.target},
          {"health", to_string(h.health)},
          {"consecutive_failures", h.consecutive_failures},
          {"consecutive_successes", h.consecutive_successes},
          {"samples", std::move(samples)},
          {"diagnoses", std::move(diagnoses)},
          {"cert_suspect",
           h.cert_suspect ? json::value(evidence_json(*h.cert_suspect)) : json::value()},
          {"last_mtu", h.last_mtu ? json::value(to_string(*h.last_mtu)) : json::value()},
          {"health_since_unix_ms", time_or_null(h.health_since)},
          {"last_diagnosis", h.last_diagnosis}};
}

// --- reading; every accessor throws on a wrong kind or a missing key ---

std::optional<MtuVerdict> read_mtu(const json::value& v) {
  if (v.is_null()) return std::nullopt;
  if (auto verdict = mtu_verdict_from_string(v.as_string())) return verdict;
  json_bad(fmt::format("unknown MTU verdict '{}'", std::string_view(v.as_string())));
}

// Keys that version 2 renamed to the shared units (docs/json.md): `*_ms` became `*_unix_ms`.
std::string_view time_key(std::int64_t version, std::string_view v1, std::string_view v2) {
  return version == 1 ? v1 : v2;
}

void read_diagnoses(const json::array& list, std::int64_t version, PairHistory& h) {
  for (const json::value& item : list) {
    const json::object& o = item.as_object();
    std::string name = json_text(o, "name");
    Diagnosis d = json_named(diagnosis_from_string(name), "diagnosis", name);
    h.active[d] = ActiveDiagnosis{json_time(o.at(time_key(version, "since_ms", "since_unix_ms"))),
                                  evidence_from_json(o.at("evidence").as_object())};
  }
}

PairState read_pair(const json::object& o, std::int64_t version) {
  PairState pair{json_text(o, "proxy"), json_text(o, "target"), {}};
  PairHistory& h = pair.history;
  std::string health = json_text(o, "health");
  h.health = json_named(health_state_from_string(health), "health state", health);
  h.consecutive_failures = json_count(o, "consecutive_failures");
  h.consecutive_successes = json_count(o, "consecutive_successes");
  const json::array& samples = o.at("samples").as_array();
  if (samples.size() > kMaxSamplesPerPair) json_bad("too many samples");
  for (const json::value& s : samples) {
    const json::object& sample = s.as_object();
    h.window.restore(version == 1 ? sample_from_json(sample_v1_as_v2(sample))
                                  : sample_from_json(sample));
  }
  read_diagnoses(o.at("diagnoses").as_array(), version, h);
  if (!o.at("cert_suspect").is_null()) {
    h.cert_suspect = evidence_from_json(o.at("cert_suspect").as_object());
  }
  h.last_mtu = read_mtu(o.at("last_mtu"));
  // Added after version 1 was out: absent in older files.
  auto since_key = time_key(version, "health_since_ms", "health_since_unix_ms");
  if (const json::value* since = o.if_contains(since_key))
    h.health_since = json_optional_time(*since);
  if (const json::value* last = o.if_contains("last_diagnosis"))
    h.last_diagnosis = last->as_string();
  return pair;
}

std::vector<PairState> read_document(const json::object& root) {
  const json::value* format = root.if_contains("format");
  if (!format || !format->is_string() || std::string_view(format->get_string()) != kFormat) {
    json_bad("not a proxywatch state file");
  }
  std::int64_t version = root.at("version").as_int64();
  if (version > kStateFileVersion) {
    json_bad(fmt::format("version {} is newer than this proxywatch understands ({})", version,
                         kStateFileVersion));
  }
  if (version < 1) json_bad(fmt::format("invalid version {}", version));
  std::vector<PairState> pairs;
  for (const json::value& p : root.at("pairs").as_array())
    pairs.push_back(read_pair(p.as_object(), version));
  return pairs;
}

// "cannot write PATH: <errno's text>".
std::string failed(std::string_view what, const std::string& path) {
  return fmt::format("{} {}: {}", what, path, errno_text(errno));
}

Result<void> write_all(int fd, std::string_view text, const std::string& path) {
  for (std::size_t done = 0, tries = 0; done < text.size() && tries < 1'000'000; ++tries) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return error_text(failed("cannot write", path));
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Result<void> fsync_directory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return error_text(failed("cannot open directory", dir));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return error_text(failed("cannot fsync directory", dir));
  return {};
}

// Creates `temp` anew, mode 0600, never through a link: O_EXCL|O_NOFOLLOW refuse whatever is
// there (a planted symlink would otherwise truncate and re-mode its target). What an earlier
// run left is unlinked first; unlink removes a symlink itself, never what it points to.
int create_temp(const std::string& temp) {
  constexpr int kFlags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  int fd = ::open(temp.c_str(), kFlags, 0600);
  if (fd < 0 && errno == EEXIST && ::unlink(temp.c_str()) == 0) {
    fd = ::open(temp.c_str(), kFlags, 0600);
  }
  return fd;
}

}  // namespace

std::string file_stamp(WallTime t) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return std::string(buf, n);
}

std::string pair_state_to_json(const PairState& pair) {
  return json::serialize(pair_json(pair));
}

Result<PairState> pair_state_from_json(std::string_view text) {
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec) return error_text("not valid JSON: " + ec.message());
  try {
    return read_pair(root.as_object(), kStateFileVersion);
  } catch (const std::exception& e) {
    return error_text(e.what());
  }
}

std::string state_to_json(const std::vector<PairState>& pairs, WallTime now) {
  json::array list;
  for (const PairState& p : pairs) list.push_back(pair_json(p));
  json::object root{{"format", kFormat},
                    {"version", kStateFileVersion},
                    {"saved_at_unix_ms", json_unix_ms(now)},
                    {"pairs", std::move(list)}};
  return json::serialize(root) + "\n";
}

Result<std::vector<PairState>> state_from_json(std::string_view text) {
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec) return error_text("not valid JSON: " + ec.message());
  try {
    return read_document(root.as_object());
  } catch (const std::exception& e) {
    return error_text(e.what());
  }
}

Result<void> write_state_file(const std::string& path, std::string_view text) {
  std::string temp = path + ".tmp";
  int fd = create_temp(temp);
  if (fd < 0) return error_text(failed("cannot create", temp));
  auto written = write_all(fd, text, temp);
  if (written && ::fsync(fd) != 0) written = error_text(failed("cannot fsync", temp));
  ::close(fd);
  if (written && std::rename(temp.c_str(), path.c_str()) != 0) {
    written = error_text(failed("cannot rename over", path));
  }
  if (!written) {
    ::unlink(temp.c_str());
    return written;
  }
  std::string dir = std::filesystem::path(path).parent_path().string();
  return fsync_directory(dir.empty() ? "." : dir);
}

LoadedState load_state_file(const std::string& path, WallTime now, const StateReader& read) {
  auto transient = [](const Result<std::string>& r) {
    return !r && r.error().kind == Error::Kind::kUnreadable;
  };
  Result<std::string> got = read(path);
  // A read error may pass (EIO on a busy disk, ENOMEM): try again a few times, briefly.
  for (int i = 0; i < kStateReadTries - 1 && transient(got); ++i) {
    std::this_thread::sleep_for(kStateReadRetryPause);
    got = read(path);
  }
  if (!got && got.error().kind == Error::Kind::kNotFound) return {};
  Result<std::vector<PairState>> pairs =
      got ? state_from_json(*got) : Result<std::vector<PairState>>(got.error());
  if (pairs) return LoadedState{std::move(*pairs), std::nullopt};
  // A file that could not be read is not corrupt: it is kept whole, under another name, so
  // the history is not lost and not called corrupt; the daemon starts without it.
  std::string aside = path + (transient(got) ? ".unread-" : ".corrupt-") + file_stamp(now);
  std::error_code ec;
  std::filesystem::rename(path, aside, ec);
  std::string where =
      ec ? fmt::format("could not move it aside ({})", ec.message()) : "moved aside to " + aside;
  if (transient(got) && !ec) where += " (a read error, not corruption: rename it back to restore)";
  return LoadedState{{},
                     fmt::format("state file {} not loaded, starting with no history: {}; {}", path,
                                 pairs.error().message, where)};
}

LoadedState load_state_file(const std::string& path, WallTime now) {
  return load_state_file(path, now, read_state_file);
}

Result<std::string> read_state_file(const std::string& path) {
  // Not through a symlink (to /dev/zero, say); a FIFO does not block the open (and so start-up
  // before READY) waiting for a writer: common/regular_file.h refuses it unread.
  auto read = read_regular_file(
      path, RegularFileLimits{.max_bytes = kMaxStateFileBytes, .follow_symlinks = false});
  if (read || read.error().kind == Error::Kind::kNotFound) return read;
  const std::error_code& code = read.error().code;
  auto refused = [](std::string why) {
    return Error{.kind = Error::Kind::kInvalid, .message = why};
  };
  if (code == std::errc::too_many_symbolic_link_levels) return refused("it is a symbolic link");
  if (code == std::errc::invalid_argument || code == std::errc::is_a_directory) {
    return refused("it is not a regular file");
  }
  if (code == std::errc::file_too_large) {
    return refused(fmt::format("it is larger than {} MiB", kMaxStateFileBytes >> 20));
  }
  return Error{.kind = Error::Kind::kUnreadable,
               .message = fmt::format("cannot read {}: {}", path, code.message()),
               .code = code};
}

}  // namespace proxywatch
