// Custom SQL over the embedded store: how one query runs.
//
//  1. The body is read (sql_query.h); the workspace's columns (EventStore::
//     Columns) become the table's columns (events_table_schema.h).
//  2. Under a per-query memory budget (sql_memory_budget.h), a fresh
//     in-memory SQLite connection is opened and locked down (sql_sandbox.h):
//     read-only, no extensions, no attachments, temp store in memory,
//     query_only, the authorizer's allow-list (sql_authorizer.h), a progress
//     handler for the time limit and cancellation.
//  3. `events` is an eponymous virtual table bound to the workspace
//     (events_table.h), and so is `profiles` (profiles_table.h: the person
//     directory's profiles, streamed the same way). For each filter SQLite asks of it, time ranges
//     and string equalities go to the store's scan (events_pushdown.h), only the columns the
//     statement reads are decoded, and the rows stream from a scan thread through a bounded queue
//     of chunks (event_row_stream.h), so a LIMIT stops the scan and no query holds the workspace in
//     memory.
//  4. Exactly one statement is stepped; rows up to the cap go to the result
//     writer (sql_result_writer.h), which is charged to the budget as well.
//
// Cost: SQLite is the single consumer, so this path is about SQLite's speed,
// not the columnar engine's: some tens of nanoseconds per row to stream rows
// in, a copy per text value read, and SQLite's own sort-based GROUP BY
// (microseconds per row). The analyses (trends, funnels, ...) run on the
// engine itself; pushed-down filters are what make SQL over large workspaces
// affordable.
#include "query/sql/sql_query.h"

#include <simdjson.h>

#include <chrono>
#include <memory>
#include <string>

#include "query/request_json.h"
#include "query/sql/events_table.h"
#include "query/sql/events_table_schema.h"
#include "query/sql/profiles_table.h"
#include "query/sql/sql_memory_budget.h"
#include "query/sql/sql_result_writer.h"
#include "query/sql/sql_run_state.h"
#include "query/sql/sql_sandbox.h"

namespace cdp::query {

namespace {

struct SqlRequest {
  std::string query;
  size_t limit = 10'000;
  std::chrono::seconds timeout{30};
};

Result<SqlRequest> ParseSqlRequest(std::string_view body) {
  simdjson::dom::parser parser;
  CDP_ASSIGN_OR_RETURN(const RequestObject object, RequestObject::Parse(parser, body));
  CDP_RETURN_IF_ERROR(object.RejectUnknownKeys({"query", "limit", "timeout_seconds"}));
  SqlRequest request;
  CDP_ASSIGN_OR_RETURN(const std::string_view query, object.String("query"));
  if (query.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return FieldError(object.PathOf("query"), "a SQL statement");
  }
  request.query = std::string(query);
  CDP_ASSIGN_OR_RETURN(const int64_t limit, object.Int("limit", 10'000, 1, 100'000));
  request.limit = static_cast<size_t>(limit);
  CDP_ASSIGN_OR_RETURN(const int64_t timeout, object.Int("timeout_seconds", 30, 1, 300));
  request.timeout = std::chrono::seconds(timeout);
  return request;
}

}  // namespace

Result<QueryOutput> RunSqlQuery(const QueryContext& context, EventStore& store,
                                std::string_view body) {
  return RunSqlQueryWithLimits(context, store, body, SqlLimits{});
}

Result<QueryOutput> RunSqlQueryWithLimits(const QueryContext& context, EventStore& store,
                                          std::string_view body, const SqlLimits& limits) {
  CDP_ASSIGN_OR_RETURN(const SqlRequest request, ParseSqlRequest(body));
  if (context.Cancelled()) return CancelledStatus();
  // Without the accounting a query's memory would be unbounded: refuse rather
  // than run uncapped. (Installing works here too when nothing has used
  // SQLite yet; main installs it first, see InstallSqlMemoryAccounting.)
  CDP_RETURN_IF_ERROR(InstallSqlMemoryAccounting());

  auto events = std::make_unique<EventsTableSource>();
  events->store = &store;
  CDP_ASSIGN_OR_RETURN(const std::vector<StoredColumn> columns,
                       store.Columns(context.workspace_id));
  events->schema = EventsTableSchema::FromStoreColumns(columns);
  CDP_ASSIGN_OR_RETURN(const StoreStats stats, store.Stats(context.workspace_id));
  events->workspace_rows = stats.rows;
  // One snapshot for every scan of the statement.
  events->persons = PersonSnapshotOf(context);

  SqlMemoryBudget budget(limits.memory_bytes);
  SqlRunState state(context, request.timeout, budget);
  events->state = &state;
  auto profiles = std::make_unique<ProfilesTableSource>();
  profiles->persons = context.persons;
  profiles->state = &state;
  SqlResultWriter writer(budget);
  bool truncated = false;
  {
    // Every SQLite allocation from opening to closing counts against the
    // budget; the sandbox (and its connection) is gone when the scope ends.
    ScopedSqlMemoryBudget scope(budget);
    CDP_ASSIGN_OR_RETURN(std::unique_ptr<SqlSandbox> sandbox,
                         SqlSandbox::Open(state, std::move(events), std::move(profiles)));
    CDP_ASSIGN_OR_RETURN(
        truncated, sandbox->Run(
                       request.query, request.limit,
                       [&](std::span<const SqlResultColumn> result_columns) {
                         writer.SetColumns(result_columns);
                       },
                       [&](std::span<const SqlValue> values) { return writer.AddRow(values); }));
  }
  QueryOutput output;
  output.rows = writer.rows();
  output.json = std::move(writer).Finish(truncated, state.rows_scanned());
  return output;
}

}  // namespace cdp::query
