#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <span>
#include <string_view>

#include "model/event.h"
#include "query/query_kind.h"

namespace cdp::query::testing {

// Small analyses that do real work on a store, for testing the service
// around the analyses without depending on them.
//
// CountEventsQuery counts a workspace's events in a time range, optionally
// of one name: body {"from": time, "to": time, "event": "Signed Up"?},
// result {"count": n}, one row. It validates like a real analysis: unknown
// keys, a missing or empty range are BadRequest naming the field.
Result<QueryOutput> CountEventsQuery(const QueryContext& context, EventStore& store,
                                     std::string_view body);

// The reference CountEventsQuery is checked against: a plain loop.
uint64_t CountEventsReference(std::span<const Event> events, std::string_view workspace_id,
                              TimePoint from, TimePoint to, std::string_view event_name = {});

// CountEventsQuery, except that every scanned block waits at a gate the test
// controls, so a test can hold a query while it is queued or running, watch
// its progress, and cancel it. A waiting block gives up when the query is
// cancelled (the scan then ends with CancelledStatus).
// Thread safety: every method may be called from any thread.
class GatedCountQuery {
 public:
  GatedCountQuery() = default;
  GatedCountQuery(const GatedCountQuery&) = delete;
  GatedCountQuery& operator=(const GatedCountQuery&) = delete;

  // The QueryFunction; it refers to this object, which must outlive it.
  QueryFunction function();

  // Lets `blocks` more blocks through, or every block from now on.
  void Allow(int blocks);
  void Open();
  // Waits (up to a generous deadline) until `queries` queries have started
  // their scan, or `blocks` blocks have gone through the gate; false on
  // timeout.
  bool WaitForQueriesStarted(int queries);
  bool WaitForBlocksPassed(int blocks);
  int queries_started() const;
  int queries_finished() const;

 private:
  Result<QueryOutput> Run(const QueryContext& context, EventStore& store, std::string_view body);
  // Waits for a permit; false when the query was cancelled first.
  bool Pass(const QueryContext& context);

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = false;      // guarded by mutex_
  int permits_ = 0;        // guarded by mutex_
  int blocks_passed_ = 0;  // guarded by mutex_
  int started_ = 0;        // guarded by mutex_
  int finished_ = 0;       // guarded by mutex_
};

}  // namespace cdp::query::testing
