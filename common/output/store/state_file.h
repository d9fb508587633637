// The state file: every pair's history (windows, health, active diagnoses) as JSON in
// state_dir, so a restart keeps it (DESIGN.md, "History survives a restart"). Written
// atomically — a temporary file, fsync, rename over the old one, fsync of the directory — so a
// kill -9 at any moment leaves either the old file or the new one, never a torn one. A file
// that does not load (corrupt, truncated, another format or a newer version) is moved aside as
// `<name>.corrupt-<UTC time>` and the daemon starts clean. The file holds proxy and target
// names, outcomes, phases, timings and certificate names: never a credential.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "common/error.h"
#include "common/history/pair_registry.h"

namespace proxywatch {

// The format's version; a file with a higher one is from a newer proxywatch and is set aside.
inline constexpr std::int64_t kStateFileVersion = 2;
// The file's name inside state_dir.
inline constexpr std::string_view kStateFileName = "state.json";

// The JSON text of `pairs`, saved at `now`.
std::string state_to_json(const std::vector<PairState>& pairs, WallTime now);

// Parses state_to_json's text. The error says what is wrong: not JSON, not a state file,
// version missing or newer than kStateFileVersion, a field missing or of the wrong type, an
// unknown outcome, phase, health state or diagnosis name.
Result<std::vector<PairState>> state_from_json(std::string_view text);

// One pair in the state file's form (its entry in "pairs"), and back: the probe store keeps
// each pair's tracker state this way. The reader's error says what is wrong, as above.
std::string pair_state_to_json(const PairState& pair);
Result<PairState> pair_state_from_json(std::string_view text);

// `t` as a file name's stamp, "20240501T120000Z" (UTC): what a file set aside is suffixed with.
std::string file_stamp(WallTime t);

// Replaces the file at `path` with `text` atomically (see the file comment); mode 0600.
Result<void> write_state_file(const std::string& path, std::string_view text);

struct LoadedState {
  std::vector<PairState> pairs;        // empty when there was no file or it was set aside
  std::optional<std::string> warning;  // when the file was set aside: why, and where to
};

// The largest state file loaded; a bigger one is set aside unread (a 512 MiB file once took
// 1 GB of memory). 10,000 samples of 20 pairs fit many times over.
inline constexpr std::size_t kMaxStateFileBytes = std::size_t{64} << 20;
// How often a read that failed (EIO, ENOMEM ...) is tried, and the pause between tries.
inline constexpr int kStateReadTries = 3;
inline constexpr std::chrono::milliseconds kStateReadRetryPause{100};

// What reads the state file: its text, or an Error whose kind says what it means —
// Kind::kNotFound: there is none; Kind::kUnreadable: a read error that may pass (EIO, ENOMEM),
// worth trying again; Kind::kInvalid: not usable (not a regular file, too large, a link).
using StateReader = std::function<Result<std::string>(const std::string& path)>;

// Reads `path` once, bounded: never through a symlink (O_NOFOLLOW), never blocking on a FIFO
// (O_NONBLOCK), only a regular file of at most kMaxStateFileBytes, into one buffer. Errors as
// StateReader says.
Result<std::string> read_state_file(const std::string& path);

// Reads the state file at `path` with read_state_file. Absent: no pairs, no warning. Not
// loadable (not JSON, another format, not a regular file, too large, a symlink): renamed to
// `<path>.corrupt-<now as YYYYmmddTHHMMSSZ>`, no pairs, and a warning. A read error is tried
// kStateReadTries times; if it persists the file is kept whole as `<path>.unread-<now>`
// (history to restore, not corruption), no pairs, and a warning that says so.
LoadedState load_state_file(const std::string& path, WallTime now);

// The same with another reader: tests inject read errors through it.
LoadedState load_state_file(const std::string& path, WallTime now, const StateReader& read);

}  // namespace proxywatch
