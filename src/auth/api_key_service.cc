#include "auth/api_key_service.h"

#include <fmt/format.h>

#include <chrono>

#include "auth/api_key_format.h"
#include "core/log.h"
#include "core/uuid.h"

namespace cdp {

namespace {

// The spec's own checks, before anything is made, with the API's fields.
Status ValidateSpec(const ApiKeySpec& spec) {
  if (spec.kind == ApiKeyKind::kWrite && spec.scope != ApiKeyScope::kIngest) {
    return Status::BadRequest("a write key's scope is ingest", "scope");
  }
  if (spec.kind == ApiKeyKind::kSecret && spec.scope == ApiKeyScope::kIngest) {
    return Status::BadRequest("a secret key's scope is read or admin", "scope");
  }
  if (spec.name.size() > kMaxApiKeyNameBytes) {
    return Status::BadRequest(fmt::format("name must be at most {} bytes", kMaxApiKeyNameBytes),
                              "name");
  }
  return Status::Ok();
}

}  // namespace

Result<CreatedApiKey> ApiKeyService::Create(std::string_view workspace_id, const ApiKeySpec& spec,
                                            std::string_view created_by) {
  CDP_RETURN_IF_ERROR(ValidateSpec(spec));
  CreatedApiKey created;
  created.key = spec.kind == ApiKeyKind::kWrite ? NewWriteKey() : NewSecretKey();
  ApiKey& key = created.api_key;
  key.id = Uuid::NewV7(clock_).ToString();
  key.workspace_id = std::string(workspace_id);
  key.kind = spec.kind;
  key.scope = spec.scope;
  key.name = spec.name;
  key.display_prefix = KeyDisplayPrefix(created.key);
  key.key_hash = HashToken(created.key);
  key.created_by = std::string(created_by);
  // Whole milliseconds, the precision the store keeps, so that what this
  // returns equals what a later listing returns.
  key.created_at = std::chrono::floor<std::chrono::milliseconds>(clock_.Now());
  CDP_RETURN_IF_ERROR(store_.CreateApiKey(key));
  log::Info("api key created")
      .Str("workspace_id", key.workspace_id)
      .Str("key_id", key.id)
      .Str("kind", ApiKeyKindName(key.kind))
      .Str("scope", ApiKeyScopeName(key.scope))
      .Str("masked_key", MaskedKey(key.display_prefix));
  return created;
}

Result<std::vector<ApiKey>> ApiKeyService::List(std::string_view workspace_id) {
  return store_.ListApiKeys(workspace_id);
}

Result<ApiKey> ApiKeyService::Revoke(std::string_view workspace_id, std::string_view key_id) {
  const TimePoint now = std::chrono::floor<std::chrono::milliseconds>(clock_.Now());
  Status revoked = store_.RevokeApiKey(workspace_id, key_id, now);
  if (revoked.code() == ErrorCode::kNotFound) {
    return Status::NotFound(
               fmt::format("API key {} not found in workspace {}", key_id, workspace_id))
        .WithField("id");
  }
  CDP_RETURN_IF_ERROR(revoked);
  // The store has no lookup by id: the workspace's listing is short.
  CDP_ASSIGN_OR_RETURN(std::vector<ApiKey> keys, store_.ListApiKeys(workspace_id));
  for (ApiKey& key : keys) {
    if (key.id != key_id) continue;
    log::Info("api key revoked")
        .Str("workspace_id", key.workspace_id)
        .Str("key_id", key.id)
        .Str("masked_key", MaskedKey(key.display_prefix));
    return std::move(key);
  }
  return Status::Internal(fmt::format("API key {} vanished after its revocation", key_id));
}

}  // namespace cdp
