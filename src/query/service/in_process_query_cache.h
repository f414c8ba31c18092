#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.h"
#include "query/service/query_cache.h"

namespace cdp::query {

// The result cache of the embedded setup: a map in this process, bounded in
// bytes, least recently used entries dropped first. An entry counts its key,
// its result text and a fixed overhead; a result larger than the whole bound
// is not kept. Expired entries are dropped when looked up or when their
// place is needed.
// Thread safety: every method may be called from any thread (one mutex: a
// lookup is a hash probe and a list splice, much shorter than any query).
class InProcessQueryCache final : public QueryCache {
 public:
  // REQUIRES: `clock` outlives this.
  InProcessQueryCache(size_t max_bytes, const Clock& clock);

  std::optional<CachedQueryResult> Get(std::string_view key) override;
  void Put(std::string_view key, CachedQueryResult value, std::chrono::milliseconds ttl) override;

  size_t entries() const;
  size_t bytes() const;
  // The bytes an entry of this key and value takes against the bound.
  static size_t EntryBytes(std::string_view key, const CachedQueryResult& value);

 private:
  struct Entry {
    std::string key;
    CachedQueryResult value;
    TimePoint expires_at;
    size_t bytes = 0;
  };
  using EntryList = std::list<Entry>;

  void Erase(EntryList::iterator entry);

  const size_t max_bytes_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  EntryList entries_;  // most recently used first; guarded by mutex_
  std::unordered_map<std::string_view, EntryList::iterator> index_;  // keys point into entries_
  size_t bytes_ = 0;                                                 // guarded by mutex_
};

}  // namespace cdp::query
