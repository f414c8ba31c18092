#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "meta/meta_store.h"

namespace cdp::ingest {

// Who a write key speaks for.
struct AuthenticatedWriteKey {
  std::string workspace_id;
  std::string key_id;

  friend bool operator==(const AuthenticatedWriteKey&, const AuthenticatedWriteKey&) = default;
};

// Resolves the write key of every ingest request to its workspace, with the
// store's answers cached: a request costs a hash lookup, not a database query.
// The store keeps keys only as hashes, so a miss asks it for
// FindApiKeyByHash(HashToken(key)); only a key of kind write is accepted (a
// secret key is never a write key). The cache itself is in memory only.
//
// Answers are cached per key for `ttl`, negative ones included ("unknown",
// "revoked"), so that a client stuck on a bad key does not send each of its
// requests to the database. The price is staleness bounded by the TTL: a key
// revoked in the store (by this process or another) stops working within
// `ttl`, and a key created meanwhile is accepted once its "unknown" expires.
// Store failures (Unavailable, Internal) are not cached: the next request asks
// again.
//
// A key whose revoked_at lies in the future (a rotation's grace period) works
// until then; its cached answer expires no later than revoked_at.
//
// The cache holds at most `max_entries` keys (split evenly over its shards;
// at least one a shard), so that a flood of made-up keys
// cannot grow memory without bound; when full, arbitrary entries make room
// (expired ones first), which only costs their keys one more lookup. Two
// requests that miss on the same key at once both ask the store.
//
// Write keys are public by design but still credentials: they are logged only
// masked.
//
// Thread safety: all methods may be called concurrently. Keys are spread over
// shards, each with its own mutex, which is never held across a store call.
class WriteKeyAuthenticator {
 public:
  static constexpr std::chrono::seconds kDefaultTtl{30};
  static constexpr size_t kDefaultMaxEntries = 100'000;

  // REQUIRES: `store` and `clock` outlive this; ttl > 0; max_entries > 0.
  WriteKeyAuthenticator(MetaStore& store, const Clock& clock,
                        std::chrono::seconds ttl = kDefaultTtl,
                        size_t max_entries = kDefaultMaxEntries);
  ~WriteKeyAuthenticator();
  WriteKeyAuthenticator(const WriteKeyAuthenticator&) = delete;
  WriteKeyAuthenticator& operator=(const WriteKeyAuthenticator&) = delete;

  // The workspace and key id of `write_key`. Unauthorized when the key is
  // malformed (without asking the store), unknown or revoked; the store's
  // error when it fails.
  Result<AuthenticatedWriteKey> Authenticate(std::string_view write_key);

  // Forgets the cached answer for `write_key`, e.g. right after this process
  // revoked it, so that the revocation takes effect here at once.
  void Invalidate(std::string_view write_key);

  // How many keys are cached (for tests and metrics).
  size_t CachedKeys() const;

 private:
  struct Shard;  // a share of the keys, under one mutex (in the .cc)

  Shard& ShardOf(std::string_view write_key) const;

  MetaStore& store_;
  const Clock& clock_;
  const std::chrono::seconds ttl_;
  const size_t max_entries_per_shard_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace cdp::ingest
