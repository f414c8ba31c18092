#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "core/result.h"
#include "query/sql/row_chunk.h"
#include "query/sql/sql_memory_budget.h"

namespace cdp::query {

// Rows produced on a thread of their own and read by SQLite's thread, chunk
// by chunk, without ever holding the whole table in memory: what the events
// and profiles tables read through.
//
// Why a thread: the sources call back with their rows and return only at the
// end (EventStore::Scan, PersonDirectory::ScanProfiles), while SQLite pulls
// rows one at a time (xNext). So the producer runs on its own thread and
// hands RowChunks over through a queue of `queue_chunks` chunks; when the
// queue is full, it waits inside `push`. At most queue_chunks + 2 chunks
// exist (queued, being filled, being read), each about `chunk_bytes`, and
// each is charged to the query's memory budget while it lives.
//
// Stopping: destroying the stream (SQLite closed the cursor early, say after
// LIMIT 10, or filters it again) makes the producer's next push fail, so it
// ends soon; the destructor waits for the thread.
//
// Thread safety: Next and the destructor are called from one thread (SQLite's).
class SqlRowStream {
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

  // Hands a chunk to the reader, waiting while the queue is full. Not ok
  // (the stream is going away, or the budget is spent): the producer stops
  // and returns that status.
  using Push = std::function<Status(std::unique_ptr<RowChunk>)>;
  // Produces every chunk through `push`, on the stream's thread; what it
  // returns ends the stream (an error is what Next reports).
  using Producer = std::function<Status(const Push& push)>;

  // Starts the producer. `budget` may be null (no accounting).
  SqlRowStream(Producer producer, SqlMemoryBudget* budget, Options options);
  ~SqlRowStream();
  SqlRowStream(const SqlRowStream&) = delete;
  SqlRowStream& operator=(const SqlRowStream&) = delete;

  // The next chunk, waiting for the producer to make it; a null chunk once
  // it is done. While it waits it calls `interrupted` every few milliseconds
  // and returns its status when that is not ok (the query's time limit or
  // cancellation, which must not wait for a slow source). Errors: the
  // producer's, the budget's ExceededStatus.
  Result<Chunk> Next(const std::function<Status()>& interrupted);

 private:
  Status Enqueue(std::unique_ptr<RowChunk> rows);

  SqlMemoryBudget* const budget_;
  const Options options_;
  std::atomic<bool> stop_{false};

  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Chunk> queue_;  // GUARDED_BY(mu_)
  bool done_ = false;        // GUARDED_BY(mu_): the producer returned
  Status status_;            // GUARDED_BY(mu_): what it returned

  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace cdp::query
