#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string_view>

#include "core/result.h"
#include "query/sql/events_table.h"
#include "query/sql/profiles_table.h"
#include "query/sql/sql_result_writer.h"
#include "query/sql/sql_run_state.h"

struct sqlite3;

namespace cdp::query {

// A fresh in-memory SQLite connection in which custom SQL can read the
// workspace's events and profiles and nothing else, with every safeguard SQLite itself
// enforces (none of them looks at the SQL text):
//  - opened read-only, in memory, without its own mutex (one thread uses it),
//    under the plain name ":memory:" (never a URI);
//  - extension loading off (SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION), defensive
//    mode on (no writable schema, no shadow-table writes), triggers and views
//    off, untrusted schema, the fts3_tokenizer pointer form off, and
//    double-quoted strings off, so a misspelt "properties.plan" is an error
//    rather than the string 'properties.plan';
//  - limits: no attached database, bounded SQL length, no bound parameters,
//    no helper threads (every allocation stays on the query's thread, where
//    the memory budget counts it);
//  - PRAGMA temp_store = MEMORY (sorts, GROUP BY and materialized subqueries
//    never touch a file, and their memory counts against the budget) and
//    PRAGMA query_only = 1, both set before the authorizer refuses pragmas;
//  - the events and profiles tables (events_table.h, profiles_table.h);
//    then every eponymous table a query
//    may read is connected once (connecting one reads the schema table, which
//    queries may not), and the authorizer (sql_authorizer.h) is installed;
//    then a progress handler that stops the statement
//    once the time limit passes or the query is cancelled.
//
// REQUIRES: a ScopedSqlMemoryBudget for `state`'s budget is alive on this
// thread for the sandbox's whole life.
struct SqlAuthorizerBinding;

class SqlSandbox {
 public:
  static Result<std::unique_ptr<SqlSandbox>> Open(SqlRunState& state,
                                                  std::unique_ptr<EventsTableSource> events,
                                                  std::unique_ptr<ProfilesTableSource> profiles);
  ~SqlSandbox();
  SqlSandbox(const SqlSandbox&) = delete;
  SqlSandbox& operator=(const SqlSandbox&) = delete;

  // Runs `sql`, which must be exactly one statement, a read-only SELECT
  // (trailing semicolons, spaces and comments are fine): `columns` is called
  // once, then `row` for each result row up to `max_rows` rows. Returns
  // whether more rows followed (the result was truncated).
  //
  // Errors, all naming the field "query": BadRequest for an empty query, a
  // second statement, anything but a SELECT and any action the authorizer
  // refuses (with its reason), and for SQL errors (SQLite's message: syntax,
  // no such column, ...); the state's recorded failure when there is one
  // (time limit, cancellation, a scan error); the budget's ExceededStatus when
  // memory ran out; Internal for what is not the query's fault.
  Result<bool> Run(std::string_view sql, size_t max_rows,
                   const std::function<void(std::span<const SqlResultColumn>)>& columns,
                   const std::function<Status(std::span<const SqlValue>)>& row);

 private:
  SqlSandbox(sqlite3* db, SqlRunState& state);
  Status Configure(std::unique_ptr<EventsTableSource> events,
                   std::unique_ptr<ProfilesTableSource> profiles);
  // The status of a failed SQLite call that returned `rc`.
  Status Failure(int rc);

  sqlite3* db_;
  SqlRunState& state_;
  std::unique_ptr<SqlAuthorizerBinding> authorizer_;  // what the authorizer callback sees
};

}  // namespace cdp::query
