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

Result<ProvisionedWorkspace> WorkspaceProvisioner::Create(std::string_view name) {
  CDP_RETURN_IF_ERROR(ValidateWorkspaceName(name));
  // Whole milliseconds, the precision the store keeps, so that what this
  // returns equals what a later read returns.
  const TimePoint now = std::chrono::floor<std::chrono::milliseconds>(clock_.Now());

  ProvisionedWorkspace result;
  result.workspace = {Uuid::NewV7(clock_).ToString(), std::string(name), now};
  result.write_key = NewWriteKey();
  result.secret_key = NewSecretKey();

  ApiKey write_key;
  write_key.id = Uuid::NewV7(clock_).ToString();
  write_key.workspace_id = result.workspace.id;
  write_key.kind = ApiKeyKind::kWrite;
  write_key.display_prefix = KeyDisplayPrefix(result.write_key);
  write_key.write_key = result.write_key;
  write_key.created_at = now;

  ApiKey secret_key;
  secret_key.id = Uuid::NewV7(clock_).ToString();
  secret_key.workspace_id = result.workspace.id;
  secret_key.kind = ApiKeyKind::kSecret;
  secret_key.display_prefix = KeyDisplayPrefix(result.secret_key);
  secret_key.secret_hash = HashSecretKey(result.secret_key);
  secret_key.created_at = now;

  CDP_RETURN_IF_ERROR(store_.CreateWorkspaceWithKeys(result.workspace, {write_key, secret_key}));
  log::Info("workspace created")
      .Str("workspace_id", result.workspace.id)
      .Str("name", result.workspace.name)
      .Int("keys", 2);
  return result;
}

}  // namespace cdp
