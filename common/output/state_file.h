// The state file: every pair's history (windows, health, active diagnoses) as JSON in
// state_dir, so a restart keeps it (DESIGN.md, "History survives a restart"). Written
// atomically — a temporary file, fsync, rename over the old one, fsync of the directory — so a
// kill -9 at any moment leaves either the old file or the new one, never a torn one. A file
// that does not load (corrupt, truncated, another format or a newer version) is moved aside as
// `<name>.corrupt-<UTC time>` and the daemon starts clean. The file holds proxy and target
// names, outcomes, phases, timings and certificate names: never a credential.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/history/tracker.h"
#include "common/text_result.h"

namespace proxywatch {

// The format's version; a file with a higher one is from a newer proxywatch and is set aside.
inline constexpr std::int64_t kStateFileVersion = 1;
// The file's name inside state_dir.
inline constexpr std::string_view kStateFileName = "state.json";

// One pair's history and whose it is.
struct PairState {
  std::string proxy;   // "host:port", as in metric labels
  std::string target;  // the target's name
  PairHistory history;
};

// The JSON text of `pairs`, saved at `now`.
std::string state_to_json(const std::vector<PairState>& pairs, WallTime now);

// Parses state_to_json's text. The error says what is wrong: not JSON, not a state file,
// version missing or newer than kStateFileVersion, a field missing or of the wrong type, an
// unknown outcome, phase, health state or diagnosis name.
TextResult<std::vector<PairState>> state_from_json(std::string_view text);

// Replaces the file at `path` with `text` atomically (see the file comment); mode 0600.
TextResult<void> write_state_file(const std::string& path, std::string_view text);

struct LoadedState {
  std::vector<PairState> pairs;  // empty when there was no file or it was set aside
  std::string warning;           // non-empty when the file was set aside: why, and where to
};

// Reads the state file at `path`. Absent: no pairs, no warning. Unreadable or not loadable:
// renamed to `<path>.corrupt-<now as YYYYmmddTHHMMSSZ>`, no pairs, and a warning.
LoadedState load_state_file(const std::string& path, WallTime now);

}  // namespace proxywatch
