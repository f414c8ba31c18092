#include "meta/sqlite/sqlite_meta_store.h"

#include <fmt/format.h>

#include "meta/sqlite/sqlite_connection.h"
#include "meta/sqlite/sqlite_values.h"

namespace cdp {

namespace {

constexpr char kWorkspaceColumns[] = "SELECT id, name, created_at, retention_days FROM workspaces ";
constexpr char kApiKeyColumns[] =
    "SELECT id, workspace_id, kind, scope, name, display_prefix, key_hash, created_by, "
    "created_at, revoked_at FROM api_keys ";

bool IsValidRetention(int64_t days) {
  return days >= Workspace::kMinRetentionDays && days <= Workspace::kMaxRetentionDays;
}

// The check the column's CHECK constraint would make, with an error a caller
// can act on.
Status ValidateRetention(int64_t days) {
  if (IsValidRetention(days)) return Status::Ok();
  return Status::BadRequest(
      fmt::format("retention_days must be from {} to {}, got {}", Workspace::kMinRetentionDays,
                  Workspace::kMaxRetentionDays, days),
      "retention_days");
}

// Columns in kWorkspaceColumns order.
Result<Workspace> ReadWorkspace(const SqliteStatement& row) {
  Workspace workspace{row.ColumnText(0), row.ColumnText(1), {}};
  CDP_ASSIGN_OR_RETURN(workspace.created_at, ReadTime(row, 2, "workspaces.created_at"));
  const int64_t retention_days = row.ColumnInt64(3);
  if (!IsValidRetention(retention_days)) {
    return Status::Internal(
        fmt::format("workspaces.retention_days is out of range: {}", retention_days));
  }
  workspace.retention_days = static_cast<int>(retention_days);
  return workspace;
}

// Columns in kApiKeyColumns order.
Result<ApiKey> ReadApiKey(const SqliteStatement& row) {
  ApiKey key;
  key.id = row.ColumnText(0);
  key.workspace_id = row.ColumnText(1);
  const std::string kind = row.ColumnText(2);
  if (kind == ApiKeyKindName(ApiKeyKind::kWrite)) {
    key.kind = ApiKeyKind::kWrite;
  } else if (kind == ApiKeyKindName(ApiKeyKind::kSecret)) {
    key.kind = ApiKeyKind::kSecret;
  } else {
    return Status::Internal(fmt::format("api_keys.kind is unknown: '{}'", kind));
  }
  const std::string scope = row.ColumnText(3);
  const std::optional<ApiKeyScope> parsed_scope = ParseApiKeyScope(scope);
  if (!parsed_scope) return Status::Internal(fmt::format("api_keys.scope is unknown: '{}'", scope));
  key.scope = *parsed_scope;
  key.name = row.ColumnText(4);
  key.display_prefix = row.ColumnText(5);
  key.key_hash = row.ColumnText(6);
  key.created_by = row.ColumnText(7);
  CDP_ASSIGN_OR_RETURN(key.created_at, ReadTime(row, 8, "api_keys.created_at"));
  if (row.ColumnOptionalText(9).has_value()) {
    CDP_ASSIGN_OR_RETURN(key.revoked_at, ReadTime(row, 9, "api_keys.revoked_at"));
  }
  return key;
}

bool IsLowerHexSha256(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// The row-level checks the table's CHECK constraint would make (and a few
// more), with errors a caller can act on. Messages never echo the hash.
Status ValidateApiKey(const ApiKey& key) {
  if (key.id.empty()) return Status::BadRequest("an API key needs an id", "id");
  const bool scope_fits = key.kind == ApiKeyKind::kWrite ? key.scope == ApiKeyScope::kIngest
                                                         : key.scope != ApiKeyScope::kIngest;
  if (!scope_fits) {
    return Status::BadRequest(key.kind == ApiKeyKind::kWrite
                                  ? std::string("a write key's scope must be ingest")
                                  : std::string("a secret key's scope must be read or admin"),
                              "scope");
  }
  if (key.name.size() > kMaxApiKeyNameBytes) {
    return Status::BadRequest(
        fmt::format("an API key's name must be at most {} bytes", kMaxApiKeyNameBytes), "name");
  }
  if (!IsLowerHexSha256(key.key_hash)) {
    return Status::BadRequest("an API key's key_hash must be 64 lower-case hex digits", "key_hash");
  }
  return Status::Ok();
}

}  // namespace

SqliteMetaStore::SqliteMetaStore(std::unique_ptr<SqliteConnection> connection)
    : connection_(std::move(connection)) {}

SqliteMetaStore::~SqliteMetaStore() = default;

Status SqliteMetaStore::InsertWorkspace(const Workspace& workspace) {
  if (workspace.id.empty()) return Status::BadRequest("a workspace needs an id", "id");
  CDP_RETURN_IF_ERROR(ValidateRetention(workspace.retention_days));
  CDP_ASSIGN_OR_RETURN(auto insert,
                       connection_->Prepare("INSERT INTO workspaces (id, name, created_at, "
                                            "retention_days) VALUES (?1, ?2, ?3, ?4)"));
  CDP_RETURN_IF_ERROR(insert.BindText(1, workspace.id));
  CDP_RETURN_IF_ERROR(insert.BindText(2, workspace.name));
  CDP_RETURN_IF_ERROR(insert.BindText(3, FormatIso8601(workspace.created_at)));
  CDP_RETURN_IF_ERROR(insert.BindInt64(4, workspace.retention_days));
  Status status = insert.Run();
  if (status.code() == ErrorCode::kConflict && status.field() == "name") {
    return Reword(status, fmt::format("a workspace named '{}' already exists", workspace.name),
                  "name");
  }
  if (status.code() == ErrorCode::kConflict && status.field() == "id") {
    return Reword(status, fmt::format("a workspace with id {} already exists", workspace.id), "id");
  }
  return status;
}

Status SqliteMetaStore::InsertApiKey(const ApiKey& key) {
  CDP_RETURN_IF_ERROR(ValidateApiKey(key));
  CDP_ASSIGN_OR_RETURN(
      auto insert,
      connection_->Prepare("INSERT INTO api_keys (id, workspace_id, kind, scope, name, "
                           "display_prefix, key_hash, created_by, created_at, revoked_at) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
  CDP_RETURN_IF_ERROR(insert.BindText(1, key.id));
  CDP_RETURN_IF_ERROR(insert.BindText(2, key.workspace_id));
  CDP_RETURN_IF_ERROR(insert.BindText(3, ApiKeyKindName(key.kind)));
  CDP_RETURN_IF_ERROR(insert.BindText(4, ApiKeyScopeName(key.scope)));
  CDP_RETURN_IF_ERROR(insert.BindText(5, key.name));
  CDP_RETURN_IF_ERROR(insert.BindText(6, key.display_prefix));
  CDP_RETURN_IF_ERROR(insert.BindText(7, key.key_hash));
  CDP_RETURN_IF_ERROR(insert.BindText(8, key.created_by));
  CDP_RETURN_IF_ERROR(insert.BindText(9, FormatIso8601(key.created_at)));
  std::optional<std::string> revoked_at;
  if (key.revoked_at) revoked_at = FormatIso8601(*key.revoked_at);
  CDP_RETURN_IF_ERROR(insert.BindOptionalText(10, revoked_at));
  Status status = insert.Run();
  if (status.code() == ErrorCode::kNotFound) {  // the foreign key
    return Reword(status, fmt::format("workspace {} not found", key.workspace_id), "workspace_id");
  }
  if (status.code() == ErrorCode::kConflict) {
    return Reword(status, "an API key with this " + status.field() + " already exists",
                  status.field());
  }
  return status;
}

Status SqliteMetaStore::CreateWorkspace(const Workspace& workspace) {
  std::lock_guard lock(mutex_);
  return InsertWorkspace(workspace);
}

Status SqliteMetaStore::CreateWorkspaceWithKeys(const Workspace& workspace,
                                                const std::vector<ApiKey>& keys) {
  std::lock_guard lock(mutex_);
  CDP_ASSIGN_OR_RETURN(auto transaction, SqliteTransaction::Begin(*connection_));
  CDP_RETURN_IF_ERROR(InsertWorkspace(workspace));
  for (const ApiKey& key : keys) CDP_RETURN_IF_ERROR(InsertApiKey(key));
  return transaction.Commit();
}

Result<Workspace> SqliteMetaStore::FindWorkspace(std::string_view sql, std::string_view value,
                                                 std::string_view what) {
  CDP_ASSIGN_OR_RETURN(auto select, connection_->Prepare(sql));
  CDP_RETURN_IF_ERROR(select.BindText(1, value));
  CDP_ASSIGN_OR_RETURN(bool found, select.Step());
  if (!found) return Status::NotFound(fmt::format("workspace {} not found", what));
  return ReadWorkspace(select);
}

Result<Workspace> SqliteMetaStore::GetWorkspace(std::string_view id) {
  std::lock_guard lock(mutex_);
  return FindWorkspace(std::string(kWorkspaceColumns) + "WHERE id = ?1", id, id);
}

Result<Workspace> SqliteMetaStore::FindWorkspaceByName(std::string_view name) {
  std::lock_guard lock(mutex_);
  return FindWorkspace(std::string(kWorkspaceColumns) + "WHERE name = ?1", name,
                       fmt::format("named '{}'", name));
}

Result<std::vector<Workspace>> SqliteMetaStore::ListWorkspaces() {
  std::lock_guard lock(mutex_);
  CDP_ASSIGN_OR_RETURN(auto select, connection_->Prepare(std::string(kWorkspaceColumns) +
                                                         "ORDER BY created_at, id"));
  std::vector<Workspace> workspaces;
  while (true) {
    CDP_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) return workspaces;
    CDP_ASSIGN_OR_RETURN(auto workspace, ReadWorkspace(select));
    workspaces.push_back(std::move(workspace));
  }
}

Status SqliteMetaStore::SetWorkspaceRetention(std::string_view workspace_id, int days) {
  CDP_RETURN_IF_ERROR(ValidateRetention(days));
  std::lock_guard lock(mutex_);
  CDP_ASSIGN_OR_RETURN(
      auto update, connection_->Prepare("UPDATE workspaces SET retention_days = ?2 WHERE id = ?1"));
  CDP_RETURN_IF_ERROR(update.BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(update.BindInt64(2, days));
  CDP_RETURN_IF_ERROR(update.Run());
  // A row whose value does not change still counts: 0 means no such row.
  if (connection_->Changes() == 0) {
    return Status::NotFound(fmt::format("workspace {} not found", workspace_id))
        .WithField("workspace_id");
  }
  return Status::Ok();
}

Status SqliteMetaStore::CreateApiKey(const ApiKey& key) {
  std::lock_guard lock(mutex_);
  return InsertApiKey(key);
}

Result<ApiKey> SqliteMetaStore::FindKey(std::string_view sql, std::string_view value,
                                        std::string_view what) {
  CDP_ASSIGN_OR_RETURN(auto select, connection_->Prepare(sql));
  CDP_RETURN_IF_ERROR(select.BindText(1, value));
  CDP_ASSIGN_OR_RETURN(bool found, select.Step());
  // The message never echoes the key: it may be a secret typed in a wrong place.
  if (!found) return Status::NotFound(fmt::format("{} not found", what));
  return ReadApiKey(select);
}

Result<ApiKey> SqliteMetaStore::FindApiKeyByHash(std::string_view key_hash) {
  std::lock_guard lock(mutex_);
  return FindKey(std::string(kApiKeyColumns) + "WHERE key_hash = ?1", key_hash, "API key");
}

Status SqliteMetaStore::CheckWorkspaceExists(std::string_view workspace_id) {
  return FindWorkspace(std::string(kWorkspaceColumns) + "WHERE id = ?1", workspace_id, workspace_id)
      .status();
}

Result<std::vector<ApiKey>> SqliteMetaStore::ListApiKeys(std::string_view workspace_id) {
  std::lock_guard lock(mutex_);
  CDP_ASSIGN_OR_RETURN(
      auto select, connection_->Prepare(std::string(kApiKeyColumns) + "WHERE workspace_id = ?1 "
                                                                      "ORDER BY created_at, id"));
  CDP_RETURN_IF_ERROR(select.BindText(1, workspace_id));
  std::vector<ApiKey> keys;
  while (true) {
    CDP_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    CDP_ASSIGN_OR_RETURN(auto key, ReadApiKey(select));
    keys.push_back(std::move(key));
  }
  if (keys.empty()) {
    // No keys, or no workspace: only the second is an error.
    CDP_RETURN_IF_ERROR(CheckWorkspaceExists(workspace_id));
  }
  return keys;
}

Status SqliteMetaStore::RevokeApiKey(std::string_view workspace_id, std::string_view key_id,
                                     TimePoint at) {
  std::lock_guard lock(mutex_);
  // COALESCE keeps the first revocation time when revoking twice.
  CDP_ASSIGN_OR_RETURN(auto update, connection_->Prepare("UPDATE api_keys SET revoked_at = "
                                                         "COALESCE(revoked_at, ?3) "
                                                         "WHERE workspace_id = ?1 AND id = ?2"));
  CDP_RETURN_IF_ERROR(update.BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(update.BindText(2, key_id));
  CDP_RETURN_IF_ERROR(update.BindText(3, FormatIso8601(at)));
  CDP_RETURN_IF_ERROR(update.Run());
  if (connection_->Changes() == 0) {
    return Status::NotFound(
               fmt::format("API key {} not found in workspace {}", key_id, workspace_id))
        .WithField("id");
  }
  return Status::Ok();
}

Status SqliteMetaStore::Ping() {
  std::lock_guard lock(mutex_);
  // Reads the schema page, so a vanished or unreadable file shows up.
  CDP_ASSIGN_OR_RETURN(auto select, connection_->Prepare("SELECT count(*) FROM sqlite_master"));
  return select.Run();
}

Result<std::unique_ptr<SqliteMetaStore>> OpenSqliteMetaStore(const std::string& path) {
  CDP_ASSIGN_OR_RETURN(auto connection, SqliteConnection::Open(path));
  return std::make_unique<SqliteMetaStore>(std::move(connection));
}

}  // namespace cdp
