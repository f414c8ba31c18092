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

// The callbacks of a read-only eponymous table.
struct ReadOnlyTableCallbacks {
  decltype(sqlite3_module::xConnect) connect;
  decltype(sqlite3_module::xBestIndex) best_index;
  decltype(sqlite3_module::xDisconnect) disconnect;
  decltype(sqlite3_module::xOpen) open;
  decltype(sqlite3_module::xClose) close;
  decltype(sqlite3_module::xFilter) filter;
  decltype(sqlite3_module::xNext) next;
  decltype(sqlite3_module::xEof) eof;
  decltype(sqlite3_module::xColumn) column;
  decltype(sqlite3_module::xRowid) rowid;
};

// The module of a table that is eponymous only (no xCreate: it cannot be
// created under another name or with arguments) and read-only (no xUpdate,
// no transaction callbacks).
constexpr sqlite3_module ReadOnlyEponymousModule(const ReadOnlyTableCallbacks& callbacks) {
  sqlite3_module module{};
  module.iVersion = 1;
  module.xConnect = callbacks.connect;
  module.xBestIndex = callbacks.best_index;
  module.xDisconnect = callbacks.disconnect;
  module.xDestroy = callbacks.disconnect;
  module.xOpen = callbacks.open;
  module.xClose = callbacks.close;
  module.xFilter = callbacks.filter;
  module.xNext = callbacks.next;
  module.xEof = callbacks.eof;
  module.xColumn = callbacks.column;
  module.xRowid = callbacks.rowid;
  return module;
}

}  // namespace cdp::query
