#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "query/query_kind.h"

namespace cdp::query {

// One analysis answer as the result cache keeps it.
struct CachedQueryResult {
  std::string result_json;
  uint64_t rows = 0;
};

// The cache key of a query: its workspace, its kind, the version of the
// person snapshot it resolves persons with (PersonMap::version: a merge
// makes a new one, so answers computed before it are not served after it)
// and a 128-bit hash of its canonical request text (CanonicalJsonObject), as
// printable text usable as a key by any cache backend:
// "query:<workspace>:<kind>:p<persons version>:<32 hex digits>".
std::string QueryCacheKey(std::string_view workspace_id, QueryKind kind,
                          std::string_view canonical_request, uint64_t persons_version);

// The result cache of the query service (ARCHITECTURE.md: the Cache
// interface; in-process here, Redis when scaled out).
//
// Entries live for the time-to-live given when they are put. A cached result
// does not see events that arrived after it was computed: the TTL is the
// bound on how stale an answer can be.
//
// A cache is never the reason a query fails: an implementation whose backend
// fails logs it, answers misses and drops writes.
// Thread safety: every method may be called from any thread.
class QueryCache {
 public:
  QueryCache() = default;
  QueryCache(const QueryCache&) = delete;
  QueryCache& operator=(const QueryCache&) = delete;
  virtual ~QueryCache() = default;

  // The live entry of `key`; nullopt when there is none or it expired.
  virtual std::optional<CachedQueryResult> Get(std::string_view key) = 0;
  // Keeps `value` under `key` for `ttl`, replacing an entry of that key.
  // REQUIRES: ttl > 0.
  virtual void Put(std::string_view key, CachedQueryResult value,
                   std::chrono::milliseconds ttl) = 0;
};

}  // namespace cdp::query
