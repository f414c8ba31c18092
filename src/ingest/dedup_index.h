#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "ingest/fingerprint_table.h"

namespace cdp::ingest {

// The outcome of one append to the event log, awaited by more than the
// request that made it: a client's retry that arrives while the original is
// still being written finds its message ids reserved, and must not hear 200
// before the original is durable (nor at all if the original fails).
// Thread safety: all methods may be called from any thread.
class PendingAppend {
 public:
  // Runs `callback` with the outcome once it is known: at once, on this
  // thread, when it already is; else on the thread that calls Finish.
  void OnDone(std::function<void(const Status&)> callback);
  // Records the outcome and runs the callbacks. Only the first call counts.
  void Finish(const Status& status);

 private:
  std::mutex mu_;
  std::optional<Status> outcome_;                            // GUARDED_BY(mu_)
  std::vector<std::function<void(const Status&)>> waiting_;  // GUARDED_BY(mu_)
};

// What DedupIndex::Reserve decided.
struct DedupReservation {
  // True: the pair was free and is now reserved for the caller, who appends
  // the event. False: a duplicate.
  bool reserved = false;
  // For a duplicate whose original is still being appended: that append, the
  // duplicate's answer must wait for. Null when the original is durable.
  std::shared_ptr<PendingAppend> pending_original;
};

// Which (workspace, messageId) pairs were accepted within the dedup window
// (24 h by default), so that a client's retry is acknowledged but stored once.
//
// Pairs are kept as 128-bit fingerprints (XXH3-128 of workspace, NUL,
// messageId) with their arrival second, in flat open-addressing tables
// (FingerprintTable): 24-byte slots, 3/8 to 3/4 full as they grow, so 32 to
// 64 bytes an entry. A false "duplicate" needs a 128-bit collision (about 1
// in 10^22 with a billion entries a day).
//
// The index lives in memory; after a restart it is rebuilt from the event
// log, which keeps at least one window of records (see the ingest service).
// Thread safety: all methods may be called concurrently; sharded by
// fingerprint so that ingest threads rarely meet on a lock, and so that a
// shard's table, which doubles at once under the shard's lock, stays small.
class DedupIndex {
 public:
  explicit DedupIndex(std::chrono::seconds window = std::chrono::hours(24));

  // Reserves the pair for an event received at `at`, to be appended by
  // `append` (null: the caller does not let duplicates wait, e.g. async acks).
  // A duplicate within the window is not reserved; it gets the original's
  // PendingAppend while that one is neither Confirmed nor Released.
  // Every reservation ends in Confirm (the append is durable) or Release (it
  // failed, or the event was refused after all: the client's retry must not
  // be taken for a duplicate of an event that was never stored).
  DedupReservation Reserve(std::string_view workspace_id, std::string_view message_id, TimePoint at,
                           std::shared_ptr<PendingAppend> append);
  // Reserve without a PendingAppend: true when reserved.
  bool TryReserve(std::string_view workspace_id, std::string_view message_id, TimePoint at);
  void Confirm(std::string_view workspace_id, std::string_view message_id);
  void Release(std::string_view workspace_id, std::string_view message_id);
  // Records a pair read back from the event log at start-up.
  void Restore(std::string_view workspace_id, std::string_view message_id, TimePoint at);
  // Forgets pairs older than the window; call periodically (every minute).
  void Expire(TimePoint now);

  size_t size() const;
  std::chrono::seconds window() const { return window_; }

 private:
  using Fingerprint = FingerprintTable::Fingerprint;
  struct FingerprintHash {
    size_t operator()(const Fingerprint& f) const { return f[0]; }
  };
  // Cache-line aligned: threads locking neighbouring shards share no line.
  struct alignas(64) Shard {
    mutable std::mutex mu;
    // Fingerprint → seconds since the epoch of the event's arrival.
    FingerprintTable seen;  // GUARDED_BY(mu)
    // The reserved pairs whose append is in flight (a few per request in
    // flight, not per event seen).
    std::unordered_map<Fingerprint, std::shared_ptr<PendingAppend>, FingerprintHash>
        pending;  // GUARDED_BY(mu)
  };
  // 1024 shards: a shard's table doubles under its lock, a pause that grows
  // with the shard (mostly page faults on the new array). At 10 M entries a
  // shard holds ~10 k; growing from empty to 10 M, no Reserve took over ~1 ms
  // of CPU, against ~50 ms with the 32 std::unordered_map shards this
  // replaced (dedup_index_benchmark.cc).
  static constexpr size_t kShards = 1024;

  static Fingerprint FingerprintOf(std::string_view workspace_id, std::string_view message_id);
  Shard& ShardOf(const Fingerprint& fingerprint) { return shards_[fingerprint[1] % kShards]; }

  std::chrono::seconds window_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace cdp::ingest
