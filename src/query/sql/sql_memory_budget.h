#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "core/status.h"

namespace cdp::query {

// The memory one SQL query may use, and what it uses now: SQLite's own
// allocations on the query's thread (through the accounting that
// InstallSqlMemoryAccounting puts under SQLite), the rows the events table
// holds between the scan and SQLite, and the result being written.
//
// Why per query and not SQLite's heap limit: sqlite3_hard_heap_limit64 is one
// limit for the whole process (every query and the metadata store together),
// so one greedy query would make the others fail. A budget per query fails
// only the query that overspends.
//
// Thread safety: every method may be called from any thread (the scan thread
// charges the rows it hands over, the SQLite thread the rest).
class SqlMemoryBudget {
 public:
  explicit SqlMemoryBudget(size_t cap_bytes) : cap_(cap_bytes) {}
  SqlMemoryBudget(const SqlMemoryBudget&) = delete;
  SqlMemoryBudget& operator=(const SqlMemoryBudget&) = delete;

  // Adds `bytes` unless that would pass the cap; false (and the budget marked
  // exceeded) when it would.
  bool TryCharge(size_t bytes);
  void Release(size_t bytes);

  size_t cap() const { return cap_; }
  int64_t used() const { return used_.load(std::memory_order_relaxed); }
  // Whether some charge was refused: the query failed for lack of memory,
  // whatever error SQLite then reported.
  bool exceeded() const { return exceeded_.load(std::memory_order_relaxed); }
  // UnprocessableEntity "the query used more than N MiB of memory" (field
  // "query"): the SQL is valid, the server refuses its cost.
  Status ExceededStatus() const;

 private:
  const size_t cap_;
  // Signed: SQLite may free on a budgeted thread a block it allocated before
  // the budget applied (a global it set up once), which must not wrap.
  std::atomic<int64_t> used_{0};
  std::atomic<bool> exceeded_{false};
};

// Bytes already charged to a budget (TryCharge), released when this goes
// away. Movable.
class SqlMemoryCharge {
 public:
  SqlMemoryCharge() = default;
  SqlMemoryCharge(SqlMemoryBudget* budget, size_t bytes) : budget_(budget), bytes_(bytes) {}
  SqlMemoryCharge(SqlMemoryCharge&& other) noexcept
      : budget_(std::exchange(other.budget_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}
  SqlMemoryCharge& operator=(SqlMemoryCharge&& other) noexcept;
  SqlMemoryCharge(const SqlMemoryCharge&) = delete;
  SqlMemoryCharge& operator=(const SqlMemoryCharge&) = delete;
  ~SqlMemoryCharge();

 private:
  SqlMemoryBudget* budget_ = nullptr;
  size_t bytes_ = 0;
};

// Puts a counting layer under SQLite's allocator (sqlite3_config
// SQLITE_CONFIG_MALLOC): while a ScopedSqlMemoryBudget is alive on a thread,
// every allocation SQLite makes on that thread is charged to its budget, and
// one that would pass the cap fails (SQLite then reports SQLITE_NOMEM and
// unwinds the statement cleanly). Allocations on other threads, or with no
// scope, are passed through uncounted, so the metadata store is unaffected.
//
// SQLite accepts a new allocator only before it is initialized, so the
// library installs it as it loads (a static initializer, before main); main
// may call this too, to state the dependency. Idempotent; Internal when SQLite
// was initialized before (RunSqlQuery then refuses to run: a query's memory
// would be unbounded).
Status InstallSqlMemoryAccounting();
bool SqlMemoryAccountingInstalled();

// Charges SQLite's allocations on this thread to `budget` while alive.
// REQUIRES: InstallSqlMemoryAccounting succeeded; no other scope is alive on
// the thread; everything SQLite allocates inside the scope (the connection,
// its statements) is freed inside it.
class ScopedSqlMemoryBudget {
 public:
  explicit ScopedSqlMemoryBudget(SqlMemoryBudget& budget);
  ~ScopedSqlMemoryBudget();
  ScopedSqlMemoryBudget(const ScopedSqlMemoryBudget&) = delete;
  ScopedSqlMemoryBudget& operator=(const ScopedSqlMemoryBudget&) = delete;
};

}  // namespace cdp::query
