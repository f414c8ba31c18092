#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"

namespace cdp::ingest {

// Which (workspace, messageId) pairs were accepted within the dedup window
// (24 h by default), so that a client's retry is acknowledged but stored once.
//
// Pairs are kept as 128-bit fingerprints (XXH3-128 of workspace, NUL,
// messageId): ~40 bytes an entry, and a false "duplicate" needs a 128-bit
// collision (about 1 in 10^22 with a billion entries a day).
//
// The index lives in memory; after a restart it is rebuilt from the event
// log, which keeps at least one window of records (see the ingest service).
// Thread safety: all methods may be called concurrently; sharded by
// fingerprint so that ingest threads rarely meet on a lock.
class DedupIndex {
 public:
  explicit DedupIndex(std::chrono::seconds window = std::chrono::hours(24));

  // Reserves the pair for an event received at `at`. False when it was
  // already reserved within the window (a duplicate). A reservation whose
  // append then fails must be Released, or the client's retry would be
  // taken for a duplicate of an event that was never stored.
  bool TryReserve(std::string_view workspace_id, std::string_view message_id, TimePoint at);
  void Release(std::string_view workspace_id, std::string_view message_id);
  // Records a pair read back from the event log at start-up.
  void Restore(std::string_view workspace_id, std::string_view message_id, TimePoint at);
  // Forgets pairs older than the window; call periodically (every minute).
  void Expire(TimePoint now);

  size_t size() const;
  std::chrono::seconds window() const { return window_; }

 private:
  using Fingerprint = std::array<uint64_t, 2>;
  struct FingerprintHash {
    size_t operator()(const Fingerprint& f) const { return f[0]; }
  };
  struct Shard {
    mutable std::mutex mu;
    // Fingerprint → seconds since the epoch of the event's arrival.
    std::unordered_map<Fingerprint, int64_t, FingerprintHash> seen;  // GUARDED_BY(mu)
  };
  static constexpr size_t kShards = 32;

  static Fingerprint FingerprintOf(std::string_view workspace_id, std::string_view message_id);
  Shard& ShardOf(const Fingerprint& fingerprint) { return *shards_[fingerprint[1] % kShards]; }

  std::chrono::seconds window_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace cdp::ingest
