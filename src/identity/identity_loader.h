#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/result.h"
#include "identity/identity_service.h"
#include "log/event_log.h"

namespace cdp::identity {

// Feeds the identity service from the EventLog (ARCHITECTURE.md, "Data
// flow"): a second consumer of the log beside the event loader
// (loader/event_loader.h), with its own consumer name and its own pace.
//
// Exactly once: every IdentityService::ApplyEvents records, atomically with
// what the events changed, the log offsets it consumed through, and the
// loader resumes from those offsets (IdentityService::ConsumedOffsets); it
// never trusts its own memory across a restart, nor after a failed batch. The
// log's consumer offset (`consumer`) is committed after each batch only so
// that the log may delete what the profiles hold.
//
// A round reads every partition once (starting with a different one each
// round, so that a busy partition cannot starve the others), up to
// `read_bytes` each and `max_batch_events` in all, and applies what it read as
// one batch. A record that does not decode stops its partition at that
// record, as it stops the event loader (what came before it, and the other
// partitions, are applied; the round then fails): it is logged at every retry
// rather than silently missing from the profiles.
class IdentityLoader {
 public:
  struct Options {
    std::string consumer = "identity";
    size_t read_bytes = 16 << 20;  // per Read of a partition
    // The log is polled this often when idle.
    std::chrono::milliseconds poll_interval{50};
    // After a failure (service, store or log), wait this long before trying
    // again.
    std::chrono::milliseconds retry_interval{1000};
    // The most events one ApplyEvents gets (one store transaction). Large
    // batches matter when the loader catches up: ids are spread over the
    // store's B-trees, so each transaction rewrites pages all over them, and
    // 50,000 events per transaction instead of 10,000 took the 3 M-event
    // catch-up of bench/identity from 72 s to 45 s. When idle, a batch is
    // whatever arrived since the last poll.
    size_t max_batch_events = 50'000;
  };

  // REQUIRES: `log` and `service` outlive the loader.
  IdentityLoader(EventLog& log, IdentityService& service, Options options);
  // Stops the thread (see Stop).
  ~IdentityLoader();
  IdentityLoader(const IdentityLoader&) = delete;
  IdentityLoader& operator=(const IdentityLoader&) = delete;

  // Applies everything the log holds now and returns how many events it
  // applied. For tests, and for the final catch-up of Stop.
  Result<uint64_t> LoadAvailable();

  // Runs the loader on its own thread until Stop.
  void Start();
  // Stops the thread after a last LoadAvailable, so that a clean shutdown
  // leaves the profiles caught up with the log.
  void Stop();

  // Events applied since construction.
  uint64_t loaded() const;

 private:
  // Reads one round and applies it; returns the number of events applied.
  Result<uint64_t> LoadOnce();
  Status ResumeOffsets();
  void Run();

  EventLog& log_;
  IdentityService& service_;
  const Options options_;

  // Used by one thread at a time: the loader thread, or the caller of
  // LoadAvailable before Start / after Stop.
  std::vector<uint64_t> next_offsets_;  // per log partition
  bool resumed_ = false;
  int first_partition_ = 0;  // where the next round starts reading

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  uint64_t loaded_ = 0;    // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace cdp::identity
