#include "query/service/in_process_query_cache.h"

namespace cdp::query {

namespace {

// What a list node, a hash-map slot and the strings' headers take, roughly:
// enough that a flood of tiny results cannot grow the map without bound.
constexpr size_t kEntryOverheadBytes = 160;

}  // namespace

InProcessQueryCache::InProcessQueryCache(size_t max_bytes, const Clock& clock)
    : max_bytes_(max_bytes), clock_(clock) {}

size_t InProcessQueryCache::EntryBytes(std::string_view key, const CachedQueryResult& value) {
  return key.size() + value.result_json.size() + kEntryOverheadBytes;
}

std::optional<CachedQueryResult> InProcessQueryCache::Get(std::string_view key) {
  const TimePoint now = clock_.Now();
  std::lock_guard lock(mutex_);
  const auto found = index_.find(key);
  if (found == index_.end()) return std::nullopt;
  const EntryList::iterator entry = found->second;
  if (entry->expires_at <= now) {
    Erase(entry);
    return std::nullopt;
  }
  entries_.splice(entries_.begin(), entries_, entry);
  return entry->value;
}

void InProcessQueryCache::Put(std::string_view key, CachedQueryResult value,
                              std::chrono::milliseconds ttl) {
  const size_t bytes = EntryBytes(key, value);
  const TimePoint expires_at = clock_.Now() + ttl;
  std::lock_guard lock(mutex_);
  if (const auto found = index_.find(key); found != index_.end()) Erase(found->second);
  if (bytes > max_bytes_) return;
  while (bytes_ + bytes > max_bytes_) Erase(std::prev(entries_.end()));
  entries_.push_front(Entry{std::string(key), std::move(value), expires_at, bytes});
  index_.emplace(entries_.front().key, entries_.begin());
  bytes_ += bytes;
}

void InProcessQueryCache::Erase(EntryList::iterator entry) {
  index_.erase(entry->key);
  bytes_ -= entry->bytes;
  entries_.erase(entry);
}

size_t InProcessQueryCache::entries() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

size_t InProcessQueryCache::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

}  // namespace cdp::query
