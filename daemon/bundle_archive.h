// The support bundle's archive: a tar file (POSIX ustar, POSIX.1-2001 `pax` format's base) of
// regular files and directories, gzip-compressed with zlib as it is written, so what `tar -tzf`
// and `tar -xzf` read is written in one pass with bounded memory. The writer is ours because
// Debian's libarchive is not linked by anything else here and the ustar header is 512 bytes of
// fixed fields. Every file is mode 0600 and every directory 0700, owned by uid and gid 0 with
// no owner names: a bundle is read by someone else, on another machine.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/error.h"

namespace proxywatch {

// The longest name a ustar header holds: a 155-byte prefix, '/', a 100-byte name.
inline constexpr std::size_t kTarMaxName = 256;

// One member of the archive as its header describes it.
struct TarEntry {
  std::string name;  // relative, '/'-separated, no ".." part; a directory's may end in '/'
  std::uint64_t size = 0;
  std::int64_t mtime = 0;  // seconds since the epoch
  bool directory = false;
};

// The 512-byte ustar header of `entry` (mode 0600 for a file, 0700 for a directory). Errors: an
// empty or absolute name, one with a ".." part or a NUL, one that fits no prefix/name split, a
// size of 8 GiB or more.
Result<std::string> ustar_header(const TarEntry& entry);

// Writes a .tar.gz to a file descriptor it does not own. Not thread-safe.
class TarGzWriter {
 public:
  // `fd` must stay open until finish(). `level`: zlib's, 0-9.
  explicit TarGzWriter(int fd, int level = 6);
  ~TarGzWriter();
  TarGzWriter(const TarGzWriter&) = delete;
  TarGzWriter& operator=(const TarGzWriter&) = delete;

  // Adds a directory entry `name`.
  Result<void> add_directory(std::string_view name, std::int64_t mtime);
  // Adds the regular file `name` holding `content`.
  Result<void> add_file(std::string_view name, std::string_view content, std::int64_t mtime);
  // Writes the end of the archive (two zero blocks) and the gzip trailer. Nothing may be added
  // after it. An error of a write (a full disk) is the errno's text.
  Result<void> finish();

 private:
  struct Gzip;
  Result<void> add(const TarEntry& entry, std::string_view content);
  std::unique_ptr<Gzip> gzip_;
};

}  // namespace proxywatch
