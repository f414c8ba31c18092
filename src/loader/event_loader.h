#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "log/event_log.h"
#include "store/event_store.h"

namespace cdp {

// Moves accepted events from the EventLog into the EventStore
// (ARCHITECTURE.md, "Data flow").
//
// Exactly once: the store records, with every flush, the log offsets it has
// loaded through (EventStore::Flush), and the loader resumes from those
// offsets; it never trusts its own memory across a restart. The log's
// consumer offset ("loader") is committed after each flush only so that the
// log may delete what the store holds.
//
// Freshness: appended events are flushed at the latest `flush_interval` after
// they were read, and the log is polled every `poll_interval` when idle, so an
// acknowledged event is visible to scans within about their sum.
class EventLoader {
 public:
  struct Options {
    std::string consumer = "loader";
    size_t read_bytes = 4 << 20;  // per Read of a partition
    std::chrono::milliseconds flush_interval{500};
    std::chrono::milliseconds poll_interval{50};
    // Flush early once this many events wait in the store's buffer.
    size_t max_buffered_events = 1'000'000;
    // After a failure (store or log), wait this long before trying again.
    std::chrono::milliseconds retry_interval{1000};
  };

  // REQUIRES: `log` and `store` outlive the loader.
  EventLoader(EventLog& log, EventStore& store, Options options);
  // Stops the thread (see Stop).
  ~EventLoader();
  EventLoader(const EventLoader&) = delete;
  EventLoader& operator=(const EventLoader&) = delete;

  // Loads everything the log holds now, flushes, and returns how many events
  // it loaded. For tests, and for the final catch-up of Stop.
  Result<uint64_t> LoadAvailable();

  // Runs the loader on its own thread until Stop.
  void Start();
  // Stops the thread after a last LoadAvailable, so that a clean shutdown
  // leaves the store caught up with the log.
  void Stop();

  // Events loaded since construction (flushed or about to be).
  uint64_t loaded() const;

 private:
  // Reads one batch from every partition and appends it; returns the number
  // of events appended.
  Result<uint64_t> LoadOnce();
  Status FlushAndCommit();
  Status ResumeOffsets();
  void Run();

  EventLog& log_;
  EventStore& store_;
  const Options options_;

  // Used by one thread at a time: the loader thread, or the caller of
  // LoadAvailable before Start / after Stop.
  std::vector<uint64_t> next_offsets_;  // per log partition
  bool resumed_ = false;
  uint64_t unflushed_ = 0;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  uint64_t loaded_ = 0;    // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace cdp
