#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cdp::query {

// What custom SQL may do, decided by SQLite's authorizer (sqlite3_set_authorizer),
// which SQLite consults while it compiles a statement (and, for VACUUM, while
// it runs): every action it is about to take, every table column it reads,
// every function it calls. Nothing is decided by looking at the SQL text.
//
// Allowed: SELECT (with WITH, subqueries, compound selects, window
// functions), WITH RECURSIVE, reading the tables of kSqlReadableTables, and
// calling the functions IsAllowedSqlFunction accepts. Everything else is
// refused: INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, ATTACH, DETACH,
// PRAGMA, BEGIN / COMMIT, SAVEPOINT, ANALYZE, REINDEX, VACUUM (which attaches),
// reading sqlite_schema or any other table (pragma_* and dbstat tables
// included), load_extension, fts3_tokenizer (which takes a pointer) and any
// function not on the list.
//
// Reading a table: SQLite reports each column read (with the table's real
// name and database), and, for a table of which no column is read (SELECT
// count(*) FROM t), the table itself with an empty column and the name and
// database as the query wrote them, which may be a common table expression.
// Since a sandbox connection holds no table of its own, a name there is one
// of: a readable table, a schema table (sqlite_*), an eponymous virtual table
// of one of the connection's modules (pragma_*, dbstat, sqlite_stmt, ...),
// or else a CTE. So the authorizer is given the connection's module names.
struct SqlAuthorization {
  bool allowed = false;
  std::string refusal;  // why not, for the client: "INSERT is not allowed: ..."
};

class SqlAuthorizer {
 public:
  explicit SqlAuthorizer(std::vector<std::string> module_names);

  // `arg1`, `arg2` and `database` are the authorizer callback's arguments
  // (null when SQLite passes none).
  SqlAuthorization Authorize(int action, const char* arg1, const char* arg2,
                             const char* database) const;

 private:
  bool IsReadableTable(std::string_view table) const;

  std::set<std::string> modules_;  // lowercase
};

// Tables a query may read: the workspace's events and profiles, and
// json_each / json_tree (table-valued functions over a JSON value, which
// read nothing else).
inline constexpr std::string_view kSqlReadableTables[] = {"events", "profiles", "json_each",
                                                          "json_tree"};

// Whether a query may call the SQL function `name` (any case): an allow-list
// of SQLite's pure functions (core scalar and aggregate functions, window
// functions, date and time, math, JSON). An allow-list rather than a deny-list
// so that a function a future SQLite adds (or a build enables) is refused
// until someone has looked at it.
bool IsAllowedSqlFunction(std::string_view name);

}  // namespace cdp::query
