#pragma once

#include <cstdint>
#include <memory>

#include "core/status.h"
#include "model/person_map.h"
#include "query/query_context.h"
#include "query/sql/events_table_schema.h"
#include "query/sql/sql_run_state.h"
#include "store/event_store.h"

// The driver's types stay opaque outside the .cc files of this folder.
struct sqlite3;

namespace cdp::query {

// What the table `events` of one connection reads: the context's workspace in
// `store`, with the columns of `schema`. `workspace_rows` (the workspace's
// row count) scales the costs the table gives SQLite's planner.
struct EventsTableSource {
  EventStore* store = nullptr;
  SqlRunState* state = nullptr;  // its context names the workspace
  EventsTableSchema schema;
  uint64_t workspace_rows = 0;
  // The query's one snapshot person_id is resolved with (every scan of the
  // statement alike). Never null.
  std::shared_ptr<const PersonMap> persons;
};

// Registers `events` on `db` as an eponymous-only virtual table (its module
// has no xCreate): it exists in every connection it is registered on, under
// that name alone, and takes no arguments, so there is no CREATE VIRTUAL
// TABLE, no table-valued-function argument and no SQL text through which a
// query could name another workspace. The workspace lives in the module's
// client data, owned by the connection from now on.
//
// Scans stream: each filter of a cursor starts an EventRowStream with the
// pushed-down constraints (events_pushdown.h) and only the columns the
// statement uses (SQLite's colUsed mask; past column 62, the columns the
// authorizer saw read).
Status RegisterEventsTable(sqlite3* db, std::unique_ptr<EventsTableSource> source);

}  // namespace cdp::query
