#pragma once

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "core/status.h"
#include "query/query_context.h"
#include "query/sql/sql_memory_budget.h"

namespace cdp::query {

// What the pieces of one running SQL query share: its context, memory budget
// and time limit, the first reason it failed, and its counters.
//
// Why the failure is kept here: SQLite reports a refused action, an
// interruption or a virtual-table error as a generic code ("not authorized",
// "interrupted"); whoever sees the real reason first records it, and the query
// ends with that status rather than SQLite's summary.
//
// Thread safety: used by the SQLite thread only (the scan thread sees only the
// budget and the context).
class SqlRunState {
 public:
  SqlRunState(const QueryContext& context, std::chrono::seconds timeout, SqlMemoryBudget& budget);

  const QueryContext& context() const { return context_; }
  SqlMemoryBudget& budget() { return budget_; }

  // Ok while the query may go on; once the context is cancelled or the time
  // limit has passed, CancelledStatus() or the time-limit status, recorded as
  // the failure. Cheap enough for SQLite's progress handler.
  Status CheckInterrupt();
  // UnprocessableEntity "the query ran longer than N s" (field "query").
  Status TimeLimitStatus() const;

  // Keeps the first failure recorded.
  void RecordFailure(const Status& status);
  const Status& failure() const { return failure_; }

  // Rows the events table handed to SQLite, over all its scans.
  void CountRow() { ++rows_scanned_; }
  uint64_t rows_scanned() const { return rows_scanned_; }

  // The columns of `events` the statement reads, as the authorizer saw them:
  // what the table reads for columns past the 63 that SQLite's colUsed mask
  // describes one by one.
  void NoteEventsColumnRead(std::string_view column) { events_columns_read_.emplace(column); }
  bool EventsColumnRead(const std::string& column) const {
    return events_columns_read_.count(column) > 0;
  }

 private:
  const QueryContext& context_;
  const std::chrono::seconds timeout_;
  const std::chrono::steady_clock::time_point deadline_;
  SqlMemoryBudget& budget_;
  Status failure_;
  uint64_t rows_scanned_ = 0;
  std::set<std::string> events_columns_read_;
};

}  // namespace cdp::query
