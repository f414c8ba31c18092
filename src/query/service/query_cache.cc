#include "query/service/query_cache.h"

#include <fmt/format.h>
#include <xxhash.h>

namespace cdp::query {

std::string QueryCacheKey(std::string_view workspace_id, QueryKind kind,
                          std::string_view canonical_request, uint64_t persons_version) {
  // 128 bits: a collision would answer one request with another's result,
  // so the hash must make that practically impossible, not merely rare.
  const XXH128_hash_t hash = XXH3_128bits(canonical_request.data(), canonical_request.size());
  return fmt::format("query:{}:{}:p{}:{:016x}{:016x}", workspace_id, QueryKindName(kind),
                     persons_version, hash.high64, hash.low64);
}

}  // namespace cdp::query
