#include "query/sql/sql_sandbox.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <vector>

#include "query/sql/sql_authorizer.h"

namespace cdp::query {

// What the authorizer callback sees: the policy and where refusals go.
struct SqlAuthorizerBinding {
  SqlAuthorizer authorizer;
  SqlRunState& state;
};

namespace {

// SQL text longer than this is refused by SQLite itself.
constexpr int kMaxSqlBytes = 100'000;
// The progress handler runs every this many virtual-machine instructions
// (some microseconds apart), so a statement stops soon after its deadline.
constexpr int kProgressInstructions = 1000;

int Authorize(void* data, int action, const char* arg1, const char* arg2, const char* database,
              const char*) {
  auto& binding = *static_cast<SqlAuthorizerBinding*>(data);
  const SqlAuthorization authorization = binding.authorizer.Authorize(action, arg1, arg2, database);
  if (!authorization.allowed) {
    binding.state.RecordFailure(Status::BadRequest(authorization.refusal, "query"));
    return SQLITE_DENY;
  }
  if (action == SQLITE_READ && arg1 != nullptr && sqlite3_stricmp(arg1, "events") == 0 &&
      arg2 != nullptr && arg2[0] != '\0') {
    binding.state.NoteEventsColumnRead(arg2);
  }
  return SQLITE_OK;
}

// The names of the connection's virtual-table modules.
Result<std::vector<std::string>> ModuleNames(sqlite3* db) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v3(db, "SELECT name FROM pragma_module_list", -1, 0, &statement, nullptr) !=
      SQLITE_OK) {
    return Status::Internal(fmt::format("sql: listing the modules: {}", sqlite3_errmsg(db)));
  }
  std::vector<std::string> names;
  int rc;
  while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
    const auto* name = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    if (name != nullptr) names.emplace_back(name);
  }
  sqlite3_finalize(statement);
  if (rc != SQLITE_DONE) {
    return Status::Internal(fmt::format("sql: listing the modules: {}", sqlite3_errmsg(db)));
  }
  return names;
}

int Progress(void* data) {
  auto& state = *static_cast<SqlRunState*>(data);
  return state.CheckInterrupt().ok() ? 0 : 1;
}

SqlValue ValueOf(sqlite3_stmt* statement, int column) {
  SqlValue value;
  switch (sqlite3_column_type(statement, column)) {
    case SQLITE_INTEGER:
      value.type = SqlValue::Type::kInteger;
      value.integer = sqlite3_column_int64(statement, column);
      break;
    case SQLITE_FLOAT:
      value.type = SqlValue::Type::kReal;
      value.real = sqlite3_column_double(statement, column);
      break;
    case SQLITE_TEXT: {
      value.type = SqlValue::Type::kText;
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
      value.bytes = std::string_view(text == nullptr ? "" : text,
                                     size_t(sqlite3_column_bytes(statement, column)));
      break;
    }
    case SQLITE_BLOB: {
      value.type = SqlValue::Type::kBlob;
      const auto* blob = static_cast<const char*>(sqlite3_column_blob(statement, column));
      value.bytes = std::string_view(blob == nullptr ? "" : blob,
                                     size_t(sqlite3_column_bytes(statement, column)));
      break;
    }
    default:
      break;
  }
  return value;
}

// Finalizes a statement when it goes out of scope (which closes its cursors,
// stopping their scans).
struct StatementCloser {
  sqlite3_stmt* statement = nullptr;
  ~StatementCloser() { sqlite3_finalize(statement); }
};

Status NotOneStatement() {
  return Status::BadRequest("query must be exactly one SELECT statement", "query");
}

}  // namespace

Result<std::unique_ptr<SqlSandbox>> SqlSandbox::Open(
    SqlRunState& state, std::unique_ptr<EventsTableSource> events,
    std::unique_ptr<ProfilesTableSource> profiles) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      ":memory:", &db,
      SQLITE_OPEN_READONLY | SQLITE_OPEN_MEMORY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
      nullptr);
  // Owned from here on, even when opening failed (SQLite may still return a
  // handle that holds the error).
  std::unique_ptr<SqlSandbox> sandbox(new SqlSandbox(db, state));
  if (rc != SQLITE_OK) {
    if (state.budget().exceeded()) return state.budget().ExceededStatus();
    return Status::Internal(fmt::format("sql: opening an in-memory database: {}",
                                        db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
  }
  CDP_RETURN_IF_ERROR(sandbox->Configure(std::move(events), std::move(profiles)));
  return sandbox;
}

SqlSandbox::SqlSandbox(sqlite3* db, SqlRunState& state) : db_(db), state_(state) {}

SqlSandbox::~SqlSandbox() { sqlite3_close_v2(db_); }

Status SqlSandbox::Configure(std::unique_ptr<EventsTableSource> events,
                             std::unique_ptr<ProfilesTableSource> profiles) {
  const auto failed = [&](std::string_view what) {
    if (state_.budget().exceeded()) return state_.budget().ExceededStatus();
    return Status::Internal(fmt::format("sql: {}: {}", what, sqlite3_errmsg(db_)));
  };
  const std::pair<int, int> options[] = {
      {SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0},
      {SQLITE_DBCONFIG_DEFENSIVE, 1},
      {SQLITE_DBCONFIG_ENABLE_TRIGGER, 0},
      {SQLITE_DBCONFIG_ENABLE_VIEW, 0},
      {SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0},
      {SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, 0},
      {SQLITE_DBCONFIG_DQS_DML, 0},
      {SQLITE_DBCONFIG_DQS_DDL, 0},
      {SQLITE_DBCONFIG_WRITABLE_SCHEMA, 0},
  };
  for (const auto& [option, value] : options) {
    int now = -1;
    if (sqlite3_db_config(db_, option, value, &now) != SQLITE_OK || now != value) {
      return failed(fmt::format("sqlite3_db_config({})", option));
    }
  }
  sqlite3_limit(db_, SQLITE_LIMIT_ATTACHED, 0);
  sqlite3_limit(db_, SQLITE_LIMIT_SQL_LENGTH, kMaxSqlBytes);
  sqlite3_limit(db_, SQLITE_LIMIT_VARIABLE_NUMBER, 0);
  sqlite3_limit(db_, SQLITE_LIMIT_WORKER_THREADS, 0);
  sqlite3_limit(db_, SQLITE_LIMIT_TRIGGER_DEPTH, 0);
  if (sqlite3_exec(db_, "PRAGMA temp_store = MEMORY; PRAGMA query_only = 1;", nullptr, nullptr,
                   nullptr) != SQLITE_OK) {
    return failed("setting the pragmas");
  }
  CDP_RETURN_IF_ERROR(RegisterEventsTable(db_, std::move(events)));
  CDP_RETURN_IF_ERROR(RegisterProfilesTable(db_, std::move(profiles)));
  // Compiling a statement on the readable tables loads the (empty) schema and
  // connects them: both read and write sqlite_schema, which the authorizer
  // then refuses to user statements.
  sqlite3_stmt* warm_up = nullptr;
  const int rc =
      sqlite3_prepare_v3(db_, "SELECT 1 FROM events, profiles, json_each('[]'), json_tree('[]')",
                         -1, 0, &warm_up, nullptr);
  sqlite3_finalize(warm_up);
  if (rc != SQLITE_OK) return failed("connecting the tables");
  CDP_ASSIGN_OR_RETURN(std::vector<std::string> modules, ModuleNames(db_));
  authorizer_ = std::make_unique<SqlAuthorizerBinding>(
      SqlAuthorizerBinding{SqlAuthorizer(std::move(modules)), state_});
  if (sqlite3_set_authorizer(db_, Authorize, authorizer_.get()) != SQLITE_OK) {
    return failed("installing the authorizer");
  }
  sqlite3_progress_handler(db_, kProgressInstructions, Progress, &state_);
  return Status::Ok();
}

Status SqlSandbox::Failure(int rc) {
  if (!state_.failure().ok()) return state_.failure();
  if (state_.budget().exceeded()) return state_.budget().ExceededStatus();
  const std::string message = sqlite3_errmsg(db_);
  switch (rc & 0xff) {
    case SQLITE_ERROR:       // syntax, no such column, malformed JSON, ...
    case SQLITE_TOOBIG:      // string or blob too big
    case SQLITE_MISMATCH:    // datatype mismatch
    case SQLITE_RANGE:       // a bound parameter
    case SQLITE_CONSTRAINT:  // e.g. a raise()-like failure
    case SQLITE_AUTH:
    case SQLITE_READONLY:
      return Status::BadRequest(message, "query");
    default:
      return Status::Internal(fmt::format("sql: {} (code {})", message, rc));
  }
}

Result<bool> SqlSandbox::Run(std::string_view sql, size_t max_rows,
                             const std::function<void(std::span<const SqlResultColumn>)>& columns,
                             const std::function<Status(std::span<const SqlValue>)>& row) {
  if (sql.size() > size_t(kMaxSqlBytes)) {
    return Status::BadRequest(fmt::format("query must be at most {} bytes", kMaxSqlBytes), "query");
  }
  // SQLite stops reading at a NUL: what follows would be neither run nor
  // checked for a second statement.
  if (sql.find('\0') != std::string_view::npos) {
    return Status::BadRequest("query must not contain NUL characters", "query");
  }
  // Exactly one statement: compile statements one after the other, as
  // SQLite's own tail pointer delimits them; empty ones (";", comments) are
  // skipped, and a second real statement refuses the query before anything
  // runs.
  StatementCloser query;
  std::string_view rest = sql;
  while (!rest.empty()) {
    sqlite3_stmt* statement = nullptr;
    const char* tail = nullptr;
    const int rc =
        sqlite3_prepare_v3(db_, rest.data(), static_cast<int>(rest.size()), 0, &statement, &tail);
    if (rc != SQLITE_OK) {
      // An error in a second statement still means two statements.
      if (query.statement != nullptr) return NotOneStatement();
      return Failure(rc);
    }
    if (statement != nullptr) {
      if (query.statement != nullptr) {
        sqlite3_finalize(statement);
        return NotOneStatement();
      }
      query.statement = statement;
    }
    const size_t consumed = size_t(tail - rest.data());
    if (consumed == 0) break;
    rest.remove_prefix(consumed);
  }
  if (query.statement == nullptr) {
    return Status::BadRequest("query must be a SELECT statement; it has none", "query");
  }
  // The authorizer already refused every write; SQLite's own view of the
  // statement is a second check. EXPLAIN is not a query of the data.
  if (!sqlite3_stmt_readonly(query.statement) || sqlite3_stmt_isexplain(query.statement) != 0 ||
      sqlite3_column_count(query.statement) == 0) {
    return Status::BadRequest("query must be a SELECT statement", "query");
  }

  const int width = sqlite3_column_count(query.statement);
  std::vector<SqlResultColumn> result_columns(static_cast<size_t>(width));
  for (int i = 0; i < width; ++i) {
    const char* name = sqlite3_column_name(query.statement, i);
    if (name == nullptr) return Failure(SQLITE_NOMEM);
    const char* declared_type = sqlite3_column_decltype(query.statement, i);
    result_columns[i].name = name;
    result_columns[i].declared_type = declared_type == nullptr ? "" : declared_type;
  }
  columns(result_columns);

  std::vector<SqlValue> values(static_cast<size_t>(width));
  size_t rows = 0;
  while (true) {
    const int rc = sqlite3_step(query.statement);
    if (rc == SQLITE_DONE) return false;
    if (rc != SQLITE_ROW) return Failure(rc);
    if (rows == max_rows) return true;  // one row more than the cap: truncated
    for (int i = 0; i < width; ++i) values[i] = ValueOf(query.statement, i);
    CDP_RETURN_IF_ERROR(row(values));
    ++rows;
  }
}

}  // namespace cdp::query
