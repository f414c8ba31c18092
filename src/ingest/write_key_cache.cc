#include "ingest/write_key_cache.h"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "auth/api_key_format.h"
#include "core/log.h"
#include "core/string_map.h"

namespace cdp::ingest {

namespace {

constexpr size_t kShards = 16;

enum class Verdict { kValid, kUnknown, kRevoked };

struct CachedAnswer {
  Verdict verdict = Verdict::kUnknown;
  AuthenticatedWriteKey key;  // kValid only
  TimePoint expires_at;
};

Result<AuthenticatedWriteKey> ToResult(const CachedAnswer& answer) {
  switch (answer.verdict) {
    case Verdict::kValid:
      return answer.key;
    case Verdict::kUnknown:
      return Status::Unauthorized("unknown write key");
    case Verdict::kRevoked:
      return Status::Unauthorized("write key revoked");
  }
  return Status::Internal("unhandled write key verdict");
}

std::string_view VerdictName(Verdict verdict) {
  return verdict == Verdict::kValid     ? "valid"
         : verdict == Verdict::kUnknown ? "unknown"
                                        : "revoked";
}

}  // namespace

struct WriteKeyAuthenticator::Shard {
  mutable std::mutex mu;
  StringMap<CachedAnswer> answers;  // GUARDED_BY(mu)
  // Bumped by Invalidate: an answer fetched from the store before an
  // invalidation must not be cached after it.
  uint64_t generation = 0;  // GUARDED_BY(mu)
  TimePoint next_sweep{};   // GUARDED_BY(mu)
};

WriteKeyAuthenticator::WriteKeyAuthenticator(MetaStore& store, const Clock& clock,
                                             std::chrono::seconds ttl, size_t max_entries)
    : store_(store),
      clock_(clock),
      ttl_(ttl),
      max_entries_per_shard_(std::max<size_t>(1, max_entries / kShards)) {
  assert(ttl > std::chrono::seconds::zero());
  assert(max_entries > 0);
  shards_.reserve(kShards);
  for (size_t i = 0; i < kShards; ++i) shards_.push_back(std::make_unique<Shard>());
}

WriteKeyAuthenticator::~WriteKeyAuthenticator() = default;

WriteKeyAuthenticator::Shard& WriteKeyAuthenticator::ShardOf(std::string_view write_key) const {
  return *shards_[StringHash{}(write_key) % kShards];
}

Result<AuthenticatedWriteKey> WriteKeyAuthenticator::Authenticate(std::string_view write_key) {
  // Costs nothing to check, and keeps junk (a secret key, a typo, an empty
  // header) out of both the store and the cache.
  if (!LooksLikeWriteKey(write_key)) {
    log::Debug("write key rejected").Secret("write_key", write_key).Str("reason", "malformed");
    return Status::Unauthorized("malformed write key");
  }
  const TimePoint now = clock_.Now();
  Shard& shard = ShardOf(write_key);
  uint64_t generation;
  {
    std::lock_guard lock(shard.mu);
    const auto it = shard.answers.find(write_key);
    if (it != shard.answers.end() && now < it->second.expires_at) return ToResult(it->second);
    generation = shard.generation;
  }

  // Not under the lock: a slow store must not hold up the shard's other keys.
  // The store keeps only hashes. A key of another kind whose hash matched
  // (impossible in practice: the shape check above admits only "wk_" keys)
  // is still refused, as unknown: a secret key never authorizes ingestion.
  Result<ApiKey> found = store_.FindApiKeyByHash(HashToken(write_key));
  if (found.ok() && found->kind != ApiKeyKind::kWrite) {
    found = Status::NotFound("API key not found");
  }
  CachedAnswer answer;
  // From before the lookup, so that an answer is never older than the TTL says.
  answer.expires_at = now + ttl_;
  if (found.ok()) {
    const std::optional<TimePoint>& revoked_at = found->revoked_at;
    if (revoked_at && *revoked_at <= now) {
      answer.verdict = Verdict::kRevoked;
    } else {
      answer.verdict = Verdict::kValid;
      answer.key = {std::move(found->workspace_id), std::move(found->id)};
      if (revoked_at) answer.expires_at = std::min(answer.expires_at, *revoked_at);
    }
  } else if (found.status().code() == ErrorCode::kNotFound) {
    answer.verdict = Verdict::kUnknown;
  } else {
    return std::move(found).TakeStatus();  // not cached: the next request retries
  }
  if (answer.verdict != Verdict::kValid) {
    log::Debug("write key rejected")
        .Secret("write_key", write_key)
        .Str("reason", VerdictName(answer.verdict));
  }

  Result<AuthenticatedWriteKey> result = ToResult(answer);
  std::lock_guard lock(shard.mu);
  if (shard.generation != generation) return result;
  auto it = shard.answers.find(write_key);
  if (it != shard.answers.end()) {
    it->second = std::move(answer);
    return result;
  }
  if (shard.answers.size() >= max_entries_per_shard_) {
    if (now >= shard.next_sweep) {
      std::erase_if(shard.answers, [&](const auto& item) { return now >= item.second.expires_at; });
      shard.next_sweep = now + ttl_;
    }
    // Arbitrary, not LRU: evicting a live key only costs it one more lookup.
    if (shard.answers.size() >= max_entries_per_shard_) shard.answers.erase(shard.answers.begin());
  }
  shard.answers.emplace(write_key, std::move(answer));
  return result;
}

void WriteKeyAuthenticator::Invalidate(std::string_view write_key) {
  Shard& shard = ShardOf(write_key);
  std::lock_guard lock(shard.mu);
  ++shard.generation;
  if (const auto it = shard.answers.find(write_key); it != shard.answers.end()) {
    shard.answers.erase(it);
  }
}

size_t WriteKeyAuthenticator::CachedKeys() const {
  size_t total = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mu);
    total += shard->answers.size();
  }
  return total;
}

}  // namespace cdp::ingest
