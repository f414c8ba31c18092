#include "ingest/dedup_index.h"

#include <xxhash.h>

#include <string>

namespace cdp::ingest {

namespace {

int64_t EpochSeconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

DedupIndex::DedupIndex(std::chrono::seconds window)
    : window_(window), shards_(std::make_unique<Shard[]>(kShards)) {}

DedupIndex::Fingerprint DedupIndex::FingerprintOf(std::string_view workspace_id,
                                                  std::string_view message_id) {
  // The NUL keeps ("ab", "c") and ("a", "bc") apart; workspace ids hold none.
  thread_local std::string key;
  key.assign(workspace_id);
  key.push_back('\0');
  key.append(message_id);
  const XXH128_hash_t hash = XXH3_128bits(key.data(), key.size());
  // {0, 0} marks an empty slot in the table; such a pair shares {1, 0}, a
  // collision as unlikely as any other.
  if (hash.low64 == 0 && hash.high64 == 0) return {1, 0};
  return {hash.low64, hash.high64};
}

void PendingAppend::OnDone(std::function<void(const Status&)> callback) {
  std::unique_lock lock(mu_);
  if (!outcome_) {
    waiting_.push_back(std::move(callback));
    return;
  }
  const Status outcome = *outcome_;
  lock.unlock();
  callback(outcome);
}

void PendingAppend::Finish(const Status& status) {
  std::vector<std::function<void(const Status&)>> waiting;
  {
    std::lock_guard lock(mu_);
    if (outcome_) return;
    outcome_ = status;
    waiting.swap(waiting_);
  }
  for (const auto& callback : waiting) callback(status);
}

DedupReservation DedupIndex::Reserve(std::string_view workspace_id, std::string_view message_id,
                                     TimePoint at, std::shared_ptr<PendingAppend> append) {
  const Fingerprint fingerprint = FingerprintOf(workspace_id, message_id);
  const int64_t now = EpochSeconds(at);
  Shard& shard = ShardOf(fingerprint);
  std::lock_guard lock(shard.mu);
  const auto [seen_at, inserted] = shard.seen.FindOrInsert(fingerprint, now);
  if (!inserted && now - *seen_at < window_.count()) {
    const auto pending = shard.pending.find(fingerprint);
    return {false, pending == shard.pending.end() ? nullptr : pending->second};
  }
  *seen_at = now;  // new, or seen before but outside the window
  if (append) shard.pending.insert_or_assign(fingerprint, std::move(append));
  return {true, nullptr};
}

bool DedupIndex::TryReserve(std::string_view workspace_id, std::string_view message_id,
                            TimePoint at) {
  return Reserve(workspace_id, message_id, at, nullptr).reserved;
}

void DedupIndex::Confirm(std::string_view workspace_id, std::string_view message_id) {
  const Fingerprint fingerprint = FingerprintOf(workspace_id, message_id);
  Shard& shard = ShardOf(fingerprint);
  std::lock_guard lock(shard.mu);
  shard.pending.erase(fingerprint);
}

void DedupIndex::Release(std::string_view workspace_id, std::string_view message_id) {
  const Fingerprint fingerprint = FingerprintOf(workspace_id, message_id);
  Shard& shard = ShardOf(fingerprint);
  std::lock_guard lock(shard.mu);
  shard.seen.Erase(fingerprint);
  shard.pending.erase(fingerprint);
}

void DedupIndex::Restore(std::string_view workspace_id, std::string_view message_id, TimePoint at) {
  const Fingerprint fingerprint = FingerprintOf(workspace_id, message_id);
  const int64_t seen_at = EpochSeconds(at);
  Shard& shard = ShardOf(fingerprint);
  std::lock_guard lock(shard.mu);
  int64_t& stored = *shard.seen.FindOrInsert(fingerprint, seen_at).stamp;
  stored = std::max(stored, seen_at);
}

void DedupIndex::Expire(TimePoint now) {
  const int64_t oldest_kept = EpochSeconds(now) - window_.count();
  for (size_t i = 0; i < kShards; ++i) {
    std::lock_guard lock(shards_[i].mu);
    shards_[i].seen.EraseStampsUpTo(oldest_kept);
  }
}

size_t DedupIndex::size() const {
  size_t total = 0;
  for (size_t i = 0; i < kShards; ++i) {
    std::lock_guard lock(shards_[i].mu);
    total += shards_[i].seen.size();
  }
  return total;
}

}  // namespace cdp::ingest
