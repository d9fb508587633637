// The ustar header (POSIX.1-2001, "pax Interchange Format", its ustar base) and the gzip
// stream (RFC 1952, through zlib's deflate with a gzip wrapper) of the support bundle.
#include "daemon/bundle_archive.h"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace proxywatch {
namespace {

constexpr std::size_t kTarBlock = 512;
constexpr std::uint64_t kMaxTarSize = 077777777777ULL;  // 11 octal digits
constexpr std::size_t kGzipChunk = 64 * 1024;

// `value` as `width - 1` zero-padded octal digits and a NUL, at `field`.
void put_octal(char* field, std::size_t width, std::uint64_t value) {
  for (std::size_t i = width - 1; i-- > 0;) {
    field[i] = static_cast<char>('0' + (value & 7));
    value >>= 3;
  }
  field[width - 1] = '\0';
}

bool has_dot_dot(std::string_view name) {
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = std::min(name.find('/', start), name.size());
    if (name.substr(start, end - start) == "..") return true;
    start = end + 1;
  }
  return false;
}

// Places `name` into the header's name (100 bytes) and prefix (155 bytes) fields, splitting at
// a '/' when it is longer than 100 bytes. False: it fits no split.
bool put_name(char* header, std::string_view name) {
  if (name.size() <= 100) {
    std::memcpy(header, name.data(), name.size());
    return true;
  }
  for (std::size_t slash = name.rfind('/'); slash != std::string_view::npos && slash > 0;
       slash = name.rfind('/', slash - 1)) {
    if (slash <= 155 && name.size() - slash - 1 <= 100 && slash + 1 < name.size()) {
      std::memcpy(header + 345, name.data(), slash);
      std::memcpy(header, name.data() + slash + 1, name.size() - slash - 1);
      return true;
    }
  }
  return false;
}

}  // namespace

Result<std::string> ustar_header(const TarEntry& entry) {
  std::string name = entry.name;
  if (entry.directory && !name.ends_with('/')) name += '/';
  if (name.empty() || name.front() == '/' || name.find('\0') != std::string::npos ||
      has_dot_dot(name)) {
    return error_text("archive member name '" + name + "' is not a plain relative path");
  }
  if (entry.size > kMaxTarSize) return error_text("archive member " + name + " is too large");
  std::string header(kTarBlock, '\0');
  if (name.size() > kTarMaxName || !put_name(header.data(), name)) {
    return error_text("archive member name '" + name + "' is too long for a ustar header");
  }
  put_octal(&header[100], 8, entry.directory ? 0700 : 0600);
  put_octal(&header[108], 8, 0);  // uid
  put_octal(&header[116], 8, 0);  // gid
  put_octal(&header[124], 12, entry.directory ? 0 : entry.size);
  put_octal(&header[136], 12, static_cast<std::uint64_t>(std::max<std::int64_t>(entry.mtime, 0)));
  header[156] = entry.directory ? '5' : '0';
  std::memcpy(&header[257], "ustar", 6);  // magic with its NUL
  std::memcpy(&header[263], "00", 2);     // version
  // The checksum is computed with its own field as eight spaces, then written as six octal
  // digits, a NUL and a space.
  std::memset(&header[148], ' ', 8);
  std::uint64_t sum = 0;
  for (unsigned char c : header) sum += c;
  put_octal(&header[148], 7, sum);
  header[155] = ' ';
  return header;
}

// The gzip stream onto the descriptor.
struct TarGzWriter::Gzip {
  int fd = -1;
  z_stream z{};
  bool open = false;
  bool finished = false;
  std::string out = std::string(kGzipChunk, '\0');

  Result<void> write_all(const char* data, std::size_t size) {
    while (size > 0) {
      ssize_t n = ::write(fd, data, size);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return error_text("cannot write the archive: " + errno_text(errno));
      data += n;
      size -= static_cast<std::size_t>(n);
    }
    return {};
  }

  // Compresses `data` (flush: Z_NO_FLUSH or Z_FINISH) and writes what deflate gives.
  Result<void> deflate_and_write(std::string_view data, int flush) {
    if (!open) return error_text("zlib could not start compressing");
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    int rc = Z_OK;
    do {
      z.next_out = reinterpret_cast<Bytef*>(out.data());
      z.avail_out = static_cast<uInt>(out.size());
      rc = deflate(&z, flush);
      if (rc == Z_STREAM_ERROR) return error_text("zlib failed to compress");
      auto produced = out.size() - z.avail_out;
      if (auto written = write_all(out.data(), produced); !written) return written;
    } while (z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    return {};
  }

  Result<void> write(std::string_view data) {
    // deflate takes at most uInt bytes at a time.
    constexpr std::size_t kStep = 1 << 30;
    for (std::size_t at = 0; at < data.size(); at += kStep) {
      auto done = deflate_and_write(data.substr(at, kStep), Z_NO_FLUSH);
      if (!done) return done;
    }
    return {};
  }
};

TarGzWriter::TarGzWriter(int fd, int level) : gzip_(std::make_unique<Gzip>()) {
  gzip_->fd = fd;
  // windowBits 15 + 16: a gzip header and trailer instead of zlib's (zlib.h, deflateInit2).
  gzip_->open = deflateInit2(&gzip_->z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
}

TarGzWriter::~TarGzWriter() {
  if (gzip_->open) deflateEnd(&gzip_->z);
}

Result<void> TarGzWriter::add(const TarEntry& entry, std::string_view content) {
  if (gzip_->finished) return error_text("the archive is already finished");
  auto header = ustar_header(entry);
  if (!header) return header.error();
  if (auto done = gzip_->write(*header); !done) return done;
  if (auto done = gzip_->write(content); !done) return done;
  std::size_t pad = (kTarBlock - content.size() % kTarBlock) % kTarBlock;
  return gzip_->write(std::string(pad, '\0'));
}

Result<void> TarGzWriter::add_directory(std::string_view name, std::int64_t mtime) {
  return add(TarEntry{.name = std::string(name), .size = 0, .mtime = mtime, .directory = true}, {});
}

Result<void> TarGzWriter::add_file(std::string_view name, std::string_view content,
                                   std::int64_t mtime) {
  return add(TarEntry{.name = std::string(name), .size = content.size(), .mtime = mtime}, content);
}

Result<void> TarGzWriter::finish() {
  if (gzip_->finished) return error_text("the archive is already finished");
  gzip_->finished = true;
  // The end of a tar archive: two zero blocks.
  return gzip_->deflate_and_write(std::string(2 * kTarBlock, '\0'), Z_FINISH);
}

}  // namespace proxywatch
