// A thin RAII layer over SQLite's C API for the probe store: a prepared statement with typed
// binds and column reads, and the one exception the store's implementation throws inside
// itself. ProbeStore catches it at its API and returns it as an Error, so callers see Results.
// Internal to proxywatch::store.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include <sqlite3.h>

#include "common/error.h"

namespace proxywatch::sqlite {

// An SQLite call that failed: its result code and SQLite's message.
class Failure : public std::runtime_error {
 public:
  Failure(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

// Throws Failure for `rc` unless it is SQLITE_OK, SQLITE_ROW or SQLITE_DONE; `what` names the
// operation ("cannot write the history").
void check(sqlite3* db, int rc, std::string_view what);

// The errno-like code of an SQLite result: ENOSPC for SQLITE_FULL, EIO for SQLITE_IOERR,
// EACCES/EROFS for SQLITE_PERM/SQLITE_READONLY/SQLITE_CANTOPEN; empty otherwise.
std::error_code system_code(int code);

// `failure` as the store's Error ("what: SQLite's message").
Error to_error(const Failure& failure);

// Runs `sql` (one or more statements without results).
void exec(sqlite3* db, const std::string& sql);

// One prepared statement; reset after each use by whoever steps it (Resetting does it on scope
// exit).
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds parameter `i` (1-based). The text is copied (SQLITE_TRANSIENT).
  Statement& bind(int i, std::int64_t value);
  Statement& bind(int i, std::string_view text);
  Statement& bind_null(int i);
  // NULL when `value` is empty.
  Statement& bind(int i, const std::optional<std::int64_t>& value);
  // NULL when `text` is empty.
  Statement& bind_text_or_null(int i, std::string_view text);

  // Steps once: true for a row, false when done. Throws Failure on an error (after a reset).
  bool step();
  // Steps to the end (a statement without rows), then resets.
  void run();
  // Resets and clears the bindings.
  void reset();

  // How many columns a row of this statement has.
  int column_count() const;
  bool is_null(int column) const;
  std::int64_t integer(int column) const;
  std::optional<std::int64_t> optional_integer(int column) const;
  std::string text(int column) const;  // "" for NULL

 private:
  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
};

// Resets `statement` when the scope ends, however it ends.
class Resetting {
 public:
  explicit Resetting(Statement& statement) : statement_(statement) {}
  ~Resetting() { statement_.reset(); }
  Resetting(const Resetting&) = delete;
  Resetting& operator=(const Resetting&) = delete;

 private:
  Statement& statement_;
};

}  // namespace proxywatch::sqlite
