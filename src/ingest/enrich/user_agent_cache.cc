#include "ingest/enrich/user_agent_cache.h"

#include <cassert>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace cdp::ingest::enrich {

class CachingUserAgentParser::Shard {
 public:
  explicit Shard(size_t capacity) : capacity_(capacity) { index_.reserve(capacity); }

  std::shared_ptr<const UserAgentInfo> Find(std::string_view key, size_t hash) {
    std::lock_guard lock(mutex_);
    const auto it = index_.find(Key{key, hash});
    if (it == index_.end()) {
      ++misses_;
      return nullptr;
    }
    ++hits_;
    entries_.splice(entries_.begin(), entries_, it->second);  // most recently used first
    return it->second->info;
  }

  // Inserts unless another thread already did; returns the cached value.
  std::shared_ptr<const UserAgentInfo> Insert(std::string_view key, size_t hash,
                                              std::shared_ptr<const UserAgentInfo> info) {
    std::lock_guard lock(mutex_);
    if (const auto it = index_.find(Key{key, hash}); it != index_.end()) return it->second->info;
    if (entries_.size() >= capacity_) {
      const Entry& oldest = entries_.back();
      index_.erase(Key{oldest.user_agent, oldest.hash});
      entries_.pop_back();
    }
    entries_.push_front(Entry{std::string(key), hash, std::move(info)});
    // The key views the string inside the list node, which never moves.
    index_.emplace(Key{entries_.front().user_agent, hash}, entries_.begin());
    return entries_.front().info;
  }

  void AddStats(Stats& stats) const {
    std::lock_guard lock(mutex_);
    stats.hits += hits_;
    stats.misses += misses_;
    stats.entries += entries_.size();
  }

 private:
  struct Entry {
    std::string user_agent;
    size_t hash;
    std::shared_ptr<const UserAgentInfo> info;
  };
  struct Key {
    std::string_view user_agent;
    size_t hash;
    bool operator==(const Key& other) const {
      return hash == other.hash && user_agent == other.user_agent;
    }
  };
  struct KeyHash {
    size_t operator()(const Key& key) const { return key.hash; }
  };

  const size_t capacity_;
  mutable std::mutex mutex_;
  std::list<Entry> entries_;                                            // GUARDED_BY(mutex_)
  std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> index_;  // GUARDED_BY(mutex_)
  uint64_t hits_ = 0;                                                   // GUARDED_BY(mutex_)
  uint64_t misses_ = 0;                                                 // GUARDED_BY(mutex_)
};

CachingUserAgentParser::CachingUserAgentParser(std::unique_ptr<UserAgentParser> parser,
                                               size_t capacity, size_t shards)
    : parser_(std::move(parser)) {
  assert(parser_ != nullptr);
  assert(capacity > 0);
  assert(shards > 0);
  const size_t per_shard = (capacity + shards - 1) / shards;
  shards_.reserve(shards);
  for (size_t i = 0; i < shards; ++i) shards_.push_back(std::make_unique<Shard>(per_shard));
}

CachingUserAgentParser::~CachingUserAgentParser() = default;

std::shared_ptr<const UserAgentInfo> CachingUserAgentParser::Parse(std::string_view user_agent) {
  const std::string_view key = user_agent.substr(0, kMaxUserAgentBytes);
  const size_t hash = std::hash<std::string_view>()(key);
  // The low bits pick the bucket inside a shard's map; take the shard from the high ones.
  Shard& shard = *shards_[(hash >> 48) % shards_.size()];
  if (auto cached = shard.Find(key, hash)) return cached;
  return shard.Insert(key, hash, std::make_shared<const UserAgentInfo>(parser_->Parse(key)));
}

CachingUserAgentParser::Stats CachingUserAgentParser::stats() const {
  Stats stats;
  for (const auto& shard : shards_) shard->AddStats(stats);
  return stats;
}

}  // namespace cdp::ingest::enrich
