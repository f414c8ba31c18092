#pragma once

#include <cstddef>
#include <string_view>

#include "core/result.h"
#include "query/query_context.h"
#include "query/query_kind.h"
#include "store/event_store.h"

namespace cdp::query {

// POST /query/sql: custom SQL, SELECT only, over the workspace's events and
// profiles.
//
// Request:
//   {"query": "SELECT event, count(*) FROM events WHERE timestamp >= '2026-03-01' GROUP BY 1",
//    "limit": 10000,          // optional, 1..100000: rows returned at most
//    "timeout_seconds": 30}   // optional, 1..300: the statement's time limit
// Result (sql_result_writer.h):
//   {"columns": [{"name": "event", "type": "text"}, {"name": "count(*)", "type": "integer"}],
//    "rows": [["Signed Up", 12], ...], "truncated": false, "rows_scanned": 3400}
// `truncated`: the query had more rows than `limit`; `rows_scanned`: the
// rows the events table read from the store for it (after the filters pushed
// down to the scan), over all its scans.
//
// The statement runs in SQLite (sql_sandbox.h) over the tables `events`
// (events_table_schema.h lists its columns; times are ISO-8601 text,
// sql_time_text.h; person_id is the profile id of the event's person under
// the query's snapshot) and `profiles` (profile_rows.h: the context's person
// directory's profiles, empty without one), which show the context's
// workspace alone. Results are never cached here (the service does not
// cache SQL either).
//
// Errors (field "query" unless said): BadRequest for the request's fields,
// for SQL errors (SQLite's message) and for anything but one read-only SELECT
// (with the reason the authorizer gave); UnprocessableEntity when the
// statement passes its time limit ("the query ran longer than N s") or the
// memory cap ("the query used more than N MiB of memory"); CancelledStatus()
// when the context is cancelled; Internal when the memory accounting is not
// installed (SQLite was initialized before it: see InstallSqlMemoryAccounting).
Result<QueryOutput> RunSqlQuery(const QueryContext& context, EventStore& store,
                                std::string_view body);

// What the server allows every SQL query, whatever its request says.
struct SqlLimits {
  // SQLite's memory for the statement, the rows between the scan and SQLite,
  // and the result.
  size_t memory_bytes = size_t{256} << 20;
};

// RunSqlQuery with other limits (tests use a small memory cap). A name of its
// own, so that RunSqlQuery converts to a QueryFunction without a cast.
Result<QueryOutput> RunSqlQueryWithLimits(const QueryContext& context, EventStore& store,
                                          std::string_view body, const SqlLimits& limits);

}  // namespace cdp::query
