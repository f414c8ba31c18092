#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/result.h"
#include "query/query_context.h"
#include "query/sql/row_chunk.h"
#include "query/sql/sql_memory_budget.h"
#include "store/event_store.h"
#include "store/scan.h"

namespace cdp::query {

// The rows of one scan of the events table, handed from a scan thread to the
// SQLite thread without ever holding the workspace in memory.
//
// Why a thread: EventStore::Scan calls back with each block and returns only
// at the end, while SQLite pulls rows one at a time (xNext). So the scan runs
// on its own thread (parallelism 1: SQLite is the single reader, and one
// worker keeps memory bounded) and copies each block's rows into RowChunks
// that go through a queue of `queue_chunks` chunks; when the queue is full,
// the scan waits inside its callback. At most queue_chunks + 2 chunks exist
// (queued, being filled, being read), each about `chunk_bytes`, and each is
// charged to the query's memory budget while it lives.
//
// Stopping: destroying the stream (SQLite closed the cursor early, say after
// LIMIT 10, or filters it again) makes the scan's next callback return, so it
// ends after the block at hand; the destructor waits for the thread.
//
// Thread safety: Next and the destructor are called from one thread (SQLite's).
class EventRowStream {
 public:
  struct Options {
    size_t queue_chunks = 2;
    size_t chunk_bytes = 256 << 10;
  };

  // One chunk of rows and its charge on the budget; `rows` is null at the end.
  struct Chunk {
    std::unique_ptr<RowChunk> rows;
    SqlMemoryCharge charge;
  };

  // Starts scanning `request` for `context` (through ScanForQuery: workspace
  // binding, cancellation, progress). `sources` say what each row field is
  // made of. `budget` may be null (no accounting).
  EventRowStream(EventStore& store, const QueryContext& context, ScanRequest request,
                 std::vector<CellSource> sources, SqlMemoryBudget* budget, Options options);
  EventRowStream(EventStore& store, const QueryContext& context, ScanRequest request,
                 std::vector<CellSource> sources, SqlMemoryBudget* budget)
      : EventRowStream(store, context, std::move(request), std::move(sources), budget, Options{}) {}
  ~EventRowStream();
  EventRowStream(const EventRowStream&) = delete;
  EventRowStream& operator=(const EventRowStream&) = delete;

  // The next chunk, waiting for the scan to produce it; a null chunk once the
  // scan is over. While it waits it calls `interrupted` every few
  // milliseconds and returns its status when that is not ok (the query's
  // time limit or cancellation, which must not wait for a slow scan). Errors:
  // the scan's, the budget's ExceededStatus.
  Result<Chunk> Next(const std::function<Status()>& interrupted);

 private:
  void Produce(EventStore& store, const QueryContext& context, const ScanRequest& request);
  Status Consume(const ScanBatch& batch);
  Status Push(std::unique_ptr<RowChunk> rows);

  const std::vector<CellSource> sources_;
  SqlMemoryBudget* const budget_;
  const Options options_;
  std::atomic<bool> stop_{false};

  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Chunk> queue_;  // GUARDED_BY(mu_)
  bool done_ = false;        // GUARDED_BY(mu_): the scan returned
  Status status_;            // GUARDED_BY(mu_): what it returned

  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace cdp::query
