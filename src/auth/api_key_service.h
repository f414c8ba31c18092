#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "meta/meta_store.h"

namespace cdp {

// A key just made: `key` is the only time it exists in clear.
struct CreatedApiKey {
  ApiKey api_key;
  std::string key;  // "wk_..." or "sk_..."
};

// What a new key is: kind, scope (kIngest for write keys, kRead or kAdmin for
// secret keys; BadRequest, field "scope", when it does not fit the kind) and
// a name (at most kMaxApiKeyNameBytes; BadRequest, field "name").
struct ApiKeySpec {
  ApiKeyKind kind = ApiKeyKind::kSecret;
  ApiKeyScope scope = ApiKeyScope::kRead;
  std::string name;
};

// A workspace's API keys: create (returned once), list (hashes only, so
// necessarily masked), revoke. A revoked secret key stops working at once
// (AccessControl does not cache); a revoked write key within the ingestion
// key cache's TTL (30 s).
// Thread safety: as the store.
class ApiKeyService {
 public:
  // REQUIRES: the arguments outlive this.
  ApiKeyService(MetaStore& store, const Clock& clock) : store_(store), clock_(clock) {}

  // `created_by`: the user's id, or "" for a secret key or the command line.
  Result<CreatedApiKey> Create(std::string_view workspace_id, const ApiKeySpec& spec,
                               std::string_view created_by);
  // Revoked ones included, oldest first.
  Result<std::vector<ApiKey>> List(std::string_view workspace_id);
  // Revokes now and returns the key as revoked (for the audit log).
  // NotFound (field "id") when the workspace has no such key. Revoking a
  // revoked key succeeds and keeps the first time.
  Result<ApiKey> Revoke(std::string_view workspace_id, std::string_view key_id);

 private:
  MetaStore& store_;
  const Clock& clock_;
};

}  // namespace cdp
