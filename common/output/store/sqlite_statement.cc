// SQLite's C API behind typed calls; see sqlite_statement.h.
#include "common/output/store/sqlite_statement.h"

#include <cerrno>

#include <fmt/format.h>

namespace proxywatch::sqlite {

void check(sqlite3* db, int rc, std::string_view what) {
  if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
  throw Failure(rc, fmt::format("{}: {}", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}

std::error_code system_code(int code) {
  switch (code & 0xff) {
    case SQLITE_FULL:
      return std::make_error_code(std::errc::no_space_on_device);
    case SQLITE_IOERR:
      return std::make_error_code(std::errc::io_error);
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
      return std::make_error_code(std::errc::permission_denied);
    case SQLITE_READONLY:
      return std::make_error_code(std::errc::read_only_file_system);
    default:
      return {};
  }
}

Error to_error(const Failure& failure) {
  return Error{.kind = Error::Kind::kUnreadable,
               .message = failure.what(),
               .code = system_code(failure.code())};
}

void exec(sqlite3* db, const std::string& sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw Failure(rc, text);
  }
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  check(db,
        sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &statement_, nullptr),
        "cannot prepare a history query");
}

Statement::~Statement() {
  sqlite3_finalize(statement_);
}

Statement& Statement::bind(int i, std::int64_t value) {
  check(db_, sqlite3_bind_int64(statement_, i, value), "cannot bind");
  return *this;
}

Statement& Statement::bind(int i, std::string_view text) {
  check(db_,
        sqlite3_bind_text64(statement_, i, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
        "cannot bind");
  return *this;
}

Statement& Statement::bind_null(int i) {
  check(db_, sqlite3_bind_null(statement_, i), "cannot bind");
  return *this;
}

Statement& Statement::bind(int i, const std::optional<std::int64_t>& value) {
  return value ? bind(i, *value) : bind_null(i);
}

Statement& Statement::bind_text_or_null(int i, std::string_view text) {
  return text.empty() ? bind_null(i) : bind(i, text);
}

bool Statement::step() {
  int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // The message first: resetting the statement (so it can run again) may replace it.
  Failure failure(rc, fmt::format("history database: {}", sqlite3_errmsg(db_)));
  reset();
  throw failure;
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

int Statement::column_count() const {
  return sqlite3_column_count(statement_);
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

std::int64_t Statement::integer(int column) const {
  return sqlite3_column_int64(statement_, column);
}

std::optional<std::int64_t> Statement::optional_integer(int column) const {
  if (is_null(column)) return std::nullopt;
  return integer(column);
}

std::string Statement::text(int column) const {
  const unsigned char* text = sqlite3_column_text(statement_, column);
  if (!text) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(sqlite3_column_bytes(statement_, column)));
}

}  // namespace proxywatch::sqlite
