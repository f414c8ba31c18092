#pragma once

#include <memory>

#include "core/status.h"
#include "query/person_directory.h"
#include "query/sql/sql_row_stream.h"
#include "query/sql/sql_run_state.h"

// The driver's types stay opaque outside the .cc files of this folder.
struct sqlite3;

namespace cdp::query {

// What the table `profiles` of one connection reads: the profiles of the
// context's workspace (profile_rows.h lists the columns).
struct ProfilesTableSource {
  // Where profiles come from; null: there are none (the table is empty).
  // REQUIRES: outlives the connection.
  const PersonDirectory* persons = nullptr;
  SqlRunState* state = nullptr;  // its context names the workspace
  SqlRowStream::Options stream = {};
};

// Registers `profiles` on `db` as an eponymous-only, read-only virtual table
// (no xCreate, no xUpdate), bound to the workspace like `events`, with the
// same limits: rows stream from PersonDirectory::ScanProfiles on a thread of
// their own through a bounded queue of chunks charged to the query's memory
// budget (SqlRowStream), waiting for them checks the time limit and
// cancellation, and the result's row cap applies as to any statement.
//
// Looking profiles up by id (WHERE id = ..., id IN (...), a join on
// events.person_id = profiles.id) reads every profile of the workspace once
// per statement into memory, charged to the budget, and answers each lookup
// from a hash table, so that a join costs one pass over the profiles rather
// than one per outer row. Scans without an id condition stream instead, and
// never hold the table in memory.
Status RegisterProfilesTable(sqlite3* db, std::unique_ptr<ProfilesTableSource> source);

}  // namespace cdp::query
