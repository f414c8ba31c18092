#pragma once

#include <fmt/format.h>
#include <sqlite3.h>

#include <exception>
#include <new>
#include <string_view>

#include "query/sql/row_chunk.h"
#include "query/sql/sql_run_state.h"

// What the virtual tables of the SQL sandbox (events, profiles) share. Only
// for the .cc files of this folder: it includes the driver's header.
namespace cdp::query {

// Sets the error message SQLite reports for a virtual-table call.
void SetVtabError(sqlite3_vtab* table, std::string_view message);

// Runs the body of one of SQLite's C callbacks, which must not let a C++
// exception through SQLite's frames: bad_alloc becomes SQLITE_NOMEM, any
// other exception (a thread that could not start) an internal failure of
// the query, recorded in `state` (when there is one) with `what`.
template <typename Body>
int GuardVtabCall(SqlRunState* state, sqlite3_vtab* table, std::string_view what, Body body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  } catch (const std::exception& error) {
    if (state != nullptr) {
      state->RecordFailure(Status::Internal(fmt::format("sql: {}: {}", what, error.what())));
    }
    if (table != nullptr) SetVtabError(table, error.what());
    return SQLITE_INTERNAL;
  }
}

// Hands `cell` of `rows` to SQLite as a column's value (xColumn): times as
// text (sql_time_text.h), the rest as their storage class.
void ResultSqlCell(sqlite3_context* context, const RowChunk& rows, const SqlCell& cell);

}  // namespace cdp::query
