#include "auth/workspace_provisioner.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "auth/api_key_format.h"
#include "core/log.h"
#include "core/uuid.h"

namespace cdp {

namespace {

constexpr size_t kMaxWorkspaceNameLength = 64;

bool IsNameChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == ' ' ||
         c == '-' || c == '_' || c == '.';
}

}  // namespace

Status ValidateWorkspaceName(std::string_view name) {
  if (name.empty() || name.size() > kMaxWorkspaceNameLength ||
      !std::all_of(name.begin(), name.end(), IsNameChar)) {
    return Status::BadRequest(
        "workspace name must be 1 to 64 characters: letters, digits, spaces, '-', '_' or '.'",
        "name");
  }
  // "demo" and "demo " would look the same in every listing.
  if (name.front() == ' ' || name.back() == ' ') {
    return Status::BadRequest("workspace name must not start or end with a space", "name");
  }
  return Status::Ok();
}

Result<ProvisionedWorkspace> WorkspaceProvisioner::Create(std::string_view name,
                                                          std::string_view created_by) {
  CDP_RETURN_IF_ERROR(ValidateWorkspaceName(name));
  // Whole milliseconds, the precision the store keeps, so that what this
  // returns equals what a later read returns.
  const TimePoint now = std::chrono::floor<std::chrono::milliseconds>(clock_.Now());

  ProvisionedWorkspace result;
  result.workspace = {Uuid::NewV7(clock_).ToString(), std::string(name), now};
  result.write_key = NewWriteKey();
  result.secret_key = NewSecretKey();

  const auto make_record = [&](ApiKeyKind kind, ApiKeyScope scope, const std::string& key) {
    ApiKey record;
    record.id = Uuid::NewV7(clock_).ToString();
    record.workspace_id = result.workspace.id;
    record.kind = kind;
    record.scope = scope;
    record.name = "default";
    record.display_prefix = KeyDisplayPrefix(key);
    record.key_hash = HashToken(key);
    record.created_by = std::string(created_by);
    record.created_at = now;
    return record;
  };
  result.write_api_key = make_record(ApiKeyKind::kWrite, ApiKeyScope::kIngest, result.write_key);
  result.secret_api_key = make_record(ApiKeyKind::kSecret, ApiKeyScope::kAdmin, result.secret_key);

  CDP_RETURN_IF_ERROR(store_.CreateWorkspaceWithKeys(
      result.workspace, {result.write_api_key, result.secret_api_key}));
  log::Info("workspace created")
      .Str("workspace_id", result.workspace.id)
      .Str("name", result.workspace.name)
      .Int("keys", 2);
  return result;
}

}  // namespace cdp
