// The probe store's file: opening (and setting aside what cannot be used), the schema and its
// migrations, writing batches, and retention. Reading is probe_store_read.cc.
#include "common/output/store/probe_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "common/output/store/probe_store_cache.h"
#include "common/output/store/state_file.h"

namespace proxywatch {
namespace {

using sqlite::Statement;

// PRAGMA application_id of a proxywatch history: "pwh1" in ASCII.
constexpr std::int64_t kApplicationId = 0x70776831;

// Version 1's tables. Probes, MTU verdicts and intervals are keyed by (pair, time) WITHOUT ROWID,
// so a pair's rows lie together and a row costs no separate index; repeated texts (TLS version,
// issuer) are stored once in `texts`; values a healthy probe does not have are NULL (no bytes).
std::string schema_v1() {
  return fmt::format(R"sql(
CREATE TABLE pairs(id INTEGER PRIMARY KEY, proxy TEXT NOT NULL, target TEXT NOT NULL,
                   service TEXT NOT NULL, UNIQUE(proxy, target));
CREATE TABLE texts(id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
CREATE TABLE probes(pair INTEGER NOT NULL, at_ms INTEGER NOT NULL, {},
                    PRIMARY KEY(pair, at_ms)) WITHOUT ROWID;
CREATE TABLE mtu(pair INTEGER NOT NULL, at_ms INTEGER NOT NULL, verdict TEXT NOT NULL,
                 detail TEXT NOT NULL, PRIMARY KEY(pair, at_ms)) WITHOUT ROWID;
CREATE TABLE health(pair INTEGER NOT NULL, from_ms INTEGER NOT NULL, to_ms INTEGER,
                    state TEXT NOT NULL, PRIMARY KEY(pair, from_ms)) WITHOUT ROWID;
CREATE TABLE diagnoses(pair INTEGER NOT NULL, diagnosis TEXT NOT NULL, from_ms INTEGER NOT NULL,
                       to_ms INTEGER, evidence TEXT NOT NULL, cleared_why TEXT,
                       PRIMARY KEY(pair, diagnosis, from_ms)) WITHOUT ROWID;
CREATE TABLE pair_state(pair INTEGER PRIMARY KEY, saved_ms INTEGER NOT NULL, state TEXT NOT NULL);
)sql",
                     probe_columns_sql());
}

// Migrations: kMigrations[v - 1] brings a database from version v to v + 1. A new version
// appends its step here and raises kProbeStoreSchemaVersion; a new database is made at version 1
// and migrated like an old one, so every database has the same history of steps.
constexpr std::array<std::string_view, kProbeStoreSchemaVersion - 1> kMigrations{
    // 2: whether a probe was a confirmation probe (ProbeResult::confirmation).
    "ALTER TABLE probes ADD COLUMN confirmation INTEGER NOT NULL DEFAULT 0",
};

std::int64_t pragma_integer(sqlite3* db, const std::string& pragma) {
  Statement s(db, "PRAGMA " + pragma);
  sqlite::Resetting done(s);
  return s.step() ? s.integer(0) : 0;
}

// Whether the file may be opened: a regular file or nothing. A symlink is refused, never
// followed (a link to /dev/zero or to another database must not be written through).
Result<bool> admit(const std::string& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return false;
    return Error{.kind = Error::Kind::kUnreadable,
                 .message = fmt::format("cannot stat {}: {}", path, errno_text(errno)),
                 .code = std::error_code(errno, std::generic_category())};
  }
  if (S_ISLNK(info.st_mode)) return error_text("it is a symbolic link");
  if (!S_ISREG(info.st_mode)) return error_text("it is not a regular file");
  return true;
}

// Creates an empty file, mode 0600 (SQLite gives its -wal and -shm files the same mode).
Result<void> create_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error{.kind = Error::Kind::kUnreadable,
                 .message = fmt::format("cannot create {}: {}", path, errno_text(errno)),
                 .code = std::error_code(errno, std::generic_category())};
  }
  ::close(fd);
  return {};
}

struct Connection {
  sqlite3* db = nullptr;
  ~Connection() { sqlite3_close_v2(db); }
  sqlite3* release() { return std::exchange(db, nullptr); }
};

// Opens `path` with `flags`; the database is not touched yet. Not SQLITE_OPEN_NOFOLLOW, which
// refuses a symlink anywhere in the path (a state_dir under a linked /var/lib is fine): admit()
// refuses the file itself being one.
void open_connection(Connection& c, const std::string& path, int flags, bool immutable = false) {
  std::string name = path;
  if (immutable) {
    // A URI (SQLite's "file:" form, with the characters it reserves escaped).
    name = "file:";
    for (char ch : path) {
      if (ch == '%' || ch == '?' || ch == '#') {
        name += fmt::format("%{:02x}", static_cast<unsigned char>(ch));
      } else {
        name += ch;
      }
    }
    name += "?immutable=1";
    flags |= SQLITE_OPEN_URI;
  }
  int rc = sqlite3_open_v2(name.c_str(), &c.db, flags, nullptr);
  sqlite::check(c.db, rc, "cannot open " + path);
  sqlite3_extended_result_codes(c.db, 1);
  // The daemon's writer holds the lock briefly; a reader waits for it rather than failing.
  sqlite3_busy_timeout(c.db, 5000);
}

// A file that is a database but not one to use: Kind::kInvalid, so open() sets it aside.
Error unusable(std::string why) {
  return Error{.kind = Error::Kind::kInvalid, .message = why};
}

// Checks what an existing database is: ours, and not newer than this build.
MaybeError identify(sqlite3* db) {
  if (pragma_integer(db, "application_id") != kApplicationId) {
    return unusable("it is not a proxywatch history database");
  }
  std::int64_t version = pragma_integer(db, "user_version");
  if (version > kProbeStoreSchemaVersion || version < 1) {
    return unusable(fmt::format("its schema version {} is not one this proxywatch reads (1 to {})",
                                version, kProbeStoreSchemaVersion));
  }
  return std::nullopt;
}

void create_schema(sqlite3* db) {
  // auto_vacuum must be chosen before the first table: INCREMENTAL lets retention give freed
  // pages back to the file system.
  sqlite::exec(db, "PRAGMA auto_vacuum=INCREMENTAL; PRAGMA journal_mode=WAL;");
  sqlite::exec(db, "BEGIN IMMEDIATE;" + schema_v1() +
                       fmt::format("PRAGMA application_id={};PRAGMA user_version=1;COMMIT;",
                                   kApplicationId));
}

void migrate(sqlite3* db) {
  for (std::int64_t v = pragma_integer(db, "user_version"); v < kProbeStoreSchemaVersion; ++v) {
    sqlite::exec(db, fmt::format("BEGIN IMMEDIATE;{};PRAGMA user_version={};COMMIT;",
                                 kMigrations[static_cast<std::size_t>(v - 1)], v + 1));
  }
}

// Opens `path` for writing; Kind::kInvalid: the file is not usable and may be set aside.
Result<sqlite3*> open_for_writing(const std::string& path) {
  auto admitted = admit(path);
  if (!admitted) return admitted.error();
  if (!*admitted) {
    if (auto created = create_file(path); !created) return created.error();
  }
  Connection c;
  try {
    open_connection(c, path, SQLITE_OPEN_READWRITE);
    Statement tables(c.db, "SELECT count(*) FROM sqlite_schema");
    bool empty = tables.step() && tables.integer(0) == 0;
    tables.reset();
    if (empty) {
      create_schema(c.db);
      migrate(c.db);
    } else {
      if (auto wrong = identify(c.db)) return *wrong;
      Statement check(c.db, "PRAGMA quick_check");
      if (check.step() && check.text(0) != "ok") {
        return unusable("PRAGMA quick_check found damage: " + check.text(0));
      }
      check.reset();
      migrate(c.db);
    }
    sqlite::exec(c.db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
  } catch (const sqlite::Failure& f) {
    int primary = f.code() & 0xff;
    if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) return unusable(f.what());
    return sqlite::to_error(f);
  }
  ::chmod(path.c_str(), 0600);  // admitted: a regular file, not a link
  return c.release();
}

// Moves the database at `path` (and its -wal) to `<path>.corrupt-<stamp>`; its -shm, which
// only indexes the -wal, is removed. Returns where it went, or why it could not.
std::string set_aside(const std::string& path, WallTime now) {
  std::string aside = path + ".corrupt-" + file_stamp(now);
  std::error_code ec;
  std::filesystem::rename(path, aside, ec);
  if (ec) return fmt::format("could not move it aside ({})", ec.message());
  std::error_code ignored;
  if (std::filesystem::exists(path + "-wal", ignored)) {
    std::filesystem::rename(path + "-wal", aside + "-wal", ignored);
  }
  std::filesystem::remove(path + "-shm", ignored);
  return "moved aside to " + aside;
}

}  // namespace

std::int64_t unix_ms(WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

WallTime from_unix_ms(std::int64_t ms) {
  return WallTime(std::chrono::duration_cast<WallTime::duration>(std::chrono::milliseconds(ms)));
}

ProbeStore::ProbeStore(sqlite3* db, std::string path, bool read_only)
    : db_(db), path_(std::move(path)), read_only_(read_only), cache_(std::make_unique<Cache>()) {}

ProbeStore::~ProbeStore() {
  sqlite3_close_v2(db_);
}

Result<OpenedStore> ProbeStore::open(const std::string& path, WallTime now) {
  auto db = open_for_writing(path);
  if (db) return OpenedStore{std::unique_ptr<ProbeStore>(new ProbeStore(*db, path, false)), {}};
  if (db.error().kind != Error::Kind::kInvalid) return db.error();
  std::string where = set_aside(path, now);
  std::string warning = fmt::format("history database {} not used, starting a new one: {}; {}",
                                    path, db.error().message, where);
  auto fresh = open_for_writing(path);
  if (!fresh) return in_context(warning + "; and the new one: ", fresh.error());
  return OpenedStore{std::unique_ptr<ProbeStore>(new ProbeStore(*fresh, path, false)),
                     std::move(warning)};
}

Result<std::unique_ptr<ProbeStore>> ProbeStore::open_read_only(const std::string& path) {
  auto admitted = admit(path);
  if (!admitted) return in_context(path + ": ", admitted.error());
  if (!*admitted) {
    return Error{.kind = Error::Kind::kNotFound,
                 .message = fmt::format("{}: no history database there", path),
                 .code = std::make_error_code(std::errc::no_such_file_or_directory)};
  }
  // With no -wal beside it the database was closed cleanly and nobody writes it: it is read as
  // immutable, which creates no -wal and -shm. (A reader run as root would otherwise leave
  // root-owned ones that the daemon, running as proxywatch, could not open.) While the daemon
  // runs, its -wal and -shm are there and are shared as usual.
  std::error_code ec;
  const bool closed = !std::filesystem::exists(path + "-wal", ec) && !ec;
  Connection c;
  try {
    open_connection(c, path, SQLITE_OPEN_READONLY, closed);
    if (auto wrong = identify(c.db)) return in_context(path + ": ", *wrong);
  } catch (const sqlite::Failure& f) {
    int primary = f.code() & 0xff;
    if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) {
      return unusable(path + ": it is not a proxywatch history database");
    }
    return sqlite::to_error(f);
  }
  return std::unique_ptr<ProbeStore>(new ProbeStore(c.release(), path, true));
}

MaybeError ProbeStore::integrity_check() const {
  try {
    Statement check(db_, "PRAGMA integrity_check");
    std::string found;
    while (check.step()) {
      if (check.text(0) != "ok") found += (found.empty() ? "" : "; ") + check.text(0);
    }
    if (found.empty()) return std::nullopt;
    return unusable(path_ + ": PRAGMA integrity_check: " + found);
  } catch (const sqlite::Failure& f) {
    return sqlite::to_error(f);
  }
}

std::uint64_t ProbeStore::used_bytes() const {
  try {
    std::int64_t pages = pragma_integer(db_, "page_count") - pragma_integer(db_, "freelist_count");
    return static_cast<std::uint64_t>(std::max<std::int64_t>(pages, 0) *
                                      pragma_integer(db_, "page_size"));
  } catch (const sqlite::Failure&) {
    return 0;
  }
}

}  // namespace proxywatch
