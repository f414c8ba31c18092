#include "meta/sqlite/sqlite_connection.h"

#include <fmt/format.h>
#include <sodium.h>
#include <sqlite3.h>

#include <cassert>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "core/log.h"

namespace cdp {

namespace {

constexpr int kBusyTimeoutMs = 5000;

// "UNIQUE constraint failed: workspaces.name" -> "name". With a composite
// key SQLite lists "t.a, t.b"; the first column is enough to point at.
std::string ConstraintColumn(std::string_view message) {
  const size_t colon = message.find(": ");
  if (colon == std::string_view::npos) return {};
  std::string_view columns = message.substr(colon + 2);
  columns = columns.substr(0, columns.find(','));
  const size_t dot = columns.rfind('.');
  return std::string(dot == std::string_view::npos ? columns : columns.substr(dot + 1));
}

// Wraps the connection's last error. `rc` is the (extended) result code of
// the failed call; `what` says what was being done.
Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string cause = fmt::format("sqlite: {}: {} (code {})", what, message, rc);
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY: {
      std::string column = ConstraintColumn(message);
      return Status::Conflict("a record with this " + column + " already exists", column)
          .WithCause(std::move(cause));
    }
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return Status::NotFound("a referenced record does not exist").WithCause(std::move(cause));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable("the metadata database is busy", std::chrono::seconds(1))
          .WithCause(std::move(cause));
    default:
      return Status::Internal(std::move(cause));
  }
}

// cdp_sha256(text) -> the lower-case hex SHA-256 of the text's UTF-8 bytes,
// NULL for NULL: what auth::HashToken computes, for migrations that hash
// stored keys (0007). A BLOB or number is hashed as its text form.
void Sha256Function(sqlite3_context* context, int argc, sqlite3_value** argv) {
  assert(argc == 1);
  (void)argc;
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(context);
    return;
  }
  const auto* text = sqlite3_value_text(argv[0]);
  const int size = sqlite3_value_bytes(argv[0]);
  if (text == nullptr) {  // out of memory converting the value
    sqlite3_result_error_nomem(context);
    return;
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, text, static_cast<unsigned long long>(size));
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));  // lower-case
  sqlite3_result_text(context, hex, crypto_hash_sha256_BYTES * 2, SQLITE_TRANSIENT);
}

Status RegisterFunctions(sqlite3* db) {
  // crypto_hash_sha256 needs no sodium_init(); it is a pure function.
  const int rc = sqlite3_create_function_v2(db, "cdp_sha256", 1,
                                            SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                            nullptr, Sha256Function, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::Ok() : SqliteError(db, rc, "register cdp_sha256");
}

// The first line of a statement, to say which one failed without logging a
// whole migration.
std::string_view Excerpt(std::string_view sql) {
  sql = sql.substr(0, sql.find('\n'));
  return sql.substr(0, 80);
}

}  // namespace

// --- SqliteStatement ---------------------------------------------------------

SqliteStatement::SqliteStatement(sqlite3* db, sqlite3_stmt* statement)
    : db_(db), statement_(statement) {}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(other.db_), statement_(std::exchange(other.statement_, nullptr)) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(statement_);
    db_ = other.db_;
    statement_ = std::exchange(other.statement_, nullptr);
  }
  return *this;
}

// sqlite3_finalize repeats the last step's error, already reported by Step().
SqliteStatement::~SqliteStatement() { sqlite3_finalize(statement_); }

Status SqliteStatement::BindText(int index, std::string_view value) {
  const int rc = sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()),
                                   SQLITE_TRANSIENT);
  return rc == SQLITE_OK ? Status::Ok() : SqliteError(db_, rc, "bind");
}

Status SqliteStatement::BindOptionalText(int index, std::optional<std::string_view> value) {
  if (value.has_value()) return BindText(index, *value);
  const int rc = sqlite3_bind_null(statement_, index);
  return rc == SQLITE_OK ? Status::Ok() : SqliteError(db_, rc, "bind");
}

Status SqliteStatement::BindInt64(int index, int64_t value) {
  const int rc = sqlite3_bind_int64(statement_, index, value);
  return rc == SQLITE_OK ? Status::Ok() : SqliteError(db_, rc, "bind");
}

Result<bool> SqliteStatement::Step() {
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Status error = SqliteError(db_, rc, Excerpt(sqlite3_sql(statement_)));
  sqlite3_reset(statement_);
  return error;
}

Status SqliteStatement::Run() {
  while (true) {
    CDP_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

// sqlite3_reset repeats the last step's error, already reported by Step().
void SqliteStatement::Reset() { sqlite3_reset(statement_); }

std::string SqliteStatement::ColumnText(int column) const {
  const auto* text = sqlite3_column_text(statement_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(statement_, column)));
}

std::optional<std::string> SqliteStatement::ColumnOptionalText(int column) const {
  if (sqlite3_column_type(statement_, column) == SQLITE_NULL) return std::nullopt;
  return ColumnText(column);
}

int64_t SqliteStatement::ColumnInt64(int column) const {
  return sqlite3_column_int64(statement_, column);
}

// --- SqliteConnection --------------------------------------------------------

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code error;
    std::filesystem::create_directories(parent, error);
    if (error) {
      return Status::Internal(fmt::format("cannot create the directory {} for the database {}: {}",
                                          parent.string(), path, error.message()));
    }
  }
  sqlite3* db = nullptr;
  // NOMUTEX: the owner serializes access, so SQLite's own lock is redundant.
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status error = SqliteError(db, rc, "open " + path);
    sqlite3_close(db);  // a handle is returned even on failure
    return error;
  }
  std::unique_ptr<SqliteConnection> connection(new SqliteConnection(db, path));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  CDP_RETURN_IF_ERROR(RegisterFunctions(db));
  CDP_RETURN_IF_ERROR(connection->Exec("PRAGMA foreign_keys = ON"));

  // WAL lets readers run beside the one writer; NORMAL is durable in WAL
  // except for the last commits before a power loss, never corrupting.
  CDP_ASSIGN_OR_RETURN(auto journal, connection->Prepare("PRAGMA journal_mode = WAL"));
  CDP_ASSIGN_OR_RETURN(bool has_row, journal.Step());
  const std::string mode = has_row ? journal.ColumnText(0) : "";
  if (mode != "wal") {
    // In-memory databases and some file systems cannot use WAL; still correct.
    log::Warn("sqlite journal mode is not WAL").Str("path", path).Str("journal_mode", mode);
  }
  CDP_RETURN_IF_ERROR(connection->Exec("PRAGMA synchronous = NORMAL"));
  return connection;
}

SqliteConnection::~SqliteConnection() {
  // Statements are finalized by their owners first, so close cannot be busy.
  const int rc = sqlite3_close(db_);
  if (rc != SQLITE_OK) {
    log::Error("sqlite close failed").Str("path", path_).Str("error", sqlite3_errstr(rc));
  }
}

Result<SqliteStatement> SqliteConnection::Prepare(std::string_view sql) {
  sqlite3_stmt* statement = nullptr;
  const char* tail = nullptr;
  const int rc =
      sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &statement, &tail);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, fmt::format("prepare {}", Excerpt(sql)));
  // A second statement would be silently ignored: Prepare takes one, Exec a script.
  [[maybe_unused]] const std::string_view rest(tail, sql.data() + sql.size() - tail);
  assert(rest.find_first_not_of(" \t\r\n;") == std::string_view::npos);
  return SqliteStatement(db_, statement);
}

Status SqliteConnection::Exec(const std::string& sql) {
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::Ok() : SqliteError(db_, rc, Excerpt(sql));
}

int64_t SqliteConnection::Changes() const { return sqlite3_changes64(db_); }

bool SqliteConnection::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

// --- SqliteTransaction -------------------------------------------------------

Result<SqliteTransaction> SqliteTransaction::Begin(SqliteConnection& connection) {
  CDP_RETURN_IF_ERROR(connection.Exec("BEGIN IMMEDIATE"));
  return SqliteTransaction(&connection);
}

Status SqliteTransaction::Commit() {
  assert(connection_ != nullptr);
  Status status = connection_->Exec("COMMIT");
  // On failure the destructor rolls back; on success there is nothing left.
  if (status.ok()) connection_ = nullptr;
  return status;
}

SqliteTransaction::~SqliteTransaction() {
  // Some errors (SQLITE_FULL, SQLITE_IOERR...) end the transaction already.
  if (connection_ == nullptr || !connection_->InTransaction()) return;
  Status status = connection_->Exec("ROLLBACK");
  if (!status.ok()) {
    // A destructor cannot return it; the connection stays usable either way.
    log::Warn("sqlite rollback failed").Str("path", connection_->path()).Err(status);
  }
}

}  // namespace cdp
