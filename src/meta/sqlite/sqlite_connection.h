#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/result.h"

// The driver's types stay opaque: only sqlite_connection.cc includes sqlite3.h.
struct sqlite3;
struct sqlite3_stmt;

namespace cdp {

// A prepared statement. Move-only; finalized on destruction.
// REQUIRES: used under the same serialization as its connection, which must
// outlive it.
//
// Every failure is a Status (never a raw SQLite code): Conflict with the
// column as field for a UNIQUE or PRIMARY KEY violation, NotFound for a
// FOREIGN KEY violation, Unavailable when the database stays locked past the
// busy timeout, Internal otherwise. The SQLite message is the cause.
class SqliteStatement {
 public:
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement();

  // Parameters are numbered from 1 (`?1`, `?2`...). Values are copied.
  Status BindText(int index, std::string_view value);
  // Binds NULL for nullopt.
  Status BindOptionalText(int index, std::optional<std::string_view> value);
  Status BindInt64(int index, int64_t value);

  // Advances: true when a row is ready to read, false when done.
  Result<bool> Step();
  // Steps to completion, for statements that return no rows.
  Status Run();
  // Rewinds the statement to run it again; bindings are kept (rebind what
  // changes). Errors were reported by the Step() that failed.
  void Reset();

  // Columns are numbered from 0. REQUIRES: the last Step() returned true.
  std::string ColumnText(int column) const;  // "" for NULL
  std::optional<std::string> ColumnOptionalText(int column) const;
  int64_t ColumnInt64(int column) const;

 private:
  friend class SqliteConnection;
  SqliteStatement(sqlite3* db, sqlite3_stmt* statement);

  sqlite3* db_;  // not owned; for error messages
  sqlite3_stmt* statement_;
};

// One SQLite database connection, configured for a concurrent server: WAL
// journal, synchronous=NORMAL, foreign keys enforced, 5 s busy timeout. Every
// connection has cdp's SQL functions: cdp_sha256(text), the lower-case hex
// SHA-256 of the text (NULL for NULL), which migrations use to hash keys.
// Thread safety: none; the owner serializes all use of a connection and of
// its statements (SQLite is opened without its own mutex).
class SqliteConnection {
 public:
  // Opens or creates the database file, creating its parent directory if
  // missing.
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path);

  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;
  ~SqliteConnection();

  // One SQL statement, ready to bind and step.
  Result<SqliteStatement> Prepare(std::string_view sql);
  // Runs a script of statements without parameters or results (migrations).
  Status Exec(const std::string& sql);
  // Rows matched by the last INSERT, UPDATE or DELETE.
  int64_t Changes() const;
  // Whether a transaction is open (SQLite ends one by itself on some errors).
  bool InTransaction() const;
  const std::string& path() const { return path_; }

 private:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_;
  std::string path_;
};

// BEGIN IMMEDIATE ... COMMIT. Taking the write lock at BEGIN (rather than at
// the first write) lets the busy timeout resolve contention between writers
// instead of failing with SQLITE_BUSY mid-transaction. A transaction not
// committed is rolled back on destruction.
class SqliteTransaction {
 public:
  static Result<SqliteTransaction> Begin(SqliteConnection& connection);

  SqliteTransaction(SqliteTransaction&& other) noexcept
      : connection_(std::exchange(other.connection_, nullptr)) {}
  SqliteTransaction& operator=(SqliteTransaction&&) = delete;
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  ~SqliteTransaction();

  Status Commit();

 private:
  explicit SqliteTransaction(SqliteConnection* connection) : connection_(connection) {}

  SqliteConnection* connection_;  // null once committed or rolled back
};

}  // namespace cdp
