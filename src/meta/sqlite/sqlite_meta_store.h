#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "meta/dead_letter_store.h"
#include "meta/meta_store.h"
#include "meta/schema_registry.h"

namespace cdp {

class SqliteConnection;

// MetaStore, SchemaRegistry and DeadLetterStore on one SQLite file: the
// embedded default, for one machine. The three interfaces share the database,
// its connection and its lock; the code of each lives in its own file
// (sqlite_meta_store.cc, sqlite_schema_registry.cc, sqlite_dead_letters.cc),
// and the rate-limit overrides of MetaStore in sqlite_rate_limits.cc.
//
// One connection serves every thread, one call at a time. Metadata calls are
// short index probes, and callers on hot paths (write-key checks, schema
// checks) cache. Writes take the database's write lock at BEGIN, so several
// processes on one file are serialized too.
// Thread safety: as the interfaces, all methods may be called concurrently.
class SqliteMetaStore final : public MetaStore, public SchemaRegistry, public DeadLetterStore {
 public:
  // Use OpenSqliteMetaStore(); this is for callers holding a connection.
  explicit SqliteMetaStore(std::unique_ptr<SqliteConnection> connection);
  ~SqliteMetaStore() override;

  Status CreateWorkspace(const Workspace& workspace) override;
  Status CreateWorkspaceWithKeys(const Workspace& workspace,
                                 const std::vector<ApiKey>& keys) override;
  Result<Workspace> GetWorkspace(std::string_view id) override;
  Result<Workspace> FindWorkspaceByName(std::string_view name) override;
  Result<std::vector<Workspace>> ListWorkspaces() override;
  Status SetWorkspaceRetention(std::string_view workspace_id, int days) override;

  Status CreateApiKey(const ApiKey& key) override;
  Result<ApiKey> FindApiKeyByHash(std::string_view key_hash) override;
  Result<std::vector<ApiKey>> ListApiKeys(std::string_view workspace_id) override;
  Status RevokeApiKey(std::string_view workspace_id, std::string_view key_id,
                      TimePoint at) override;

  // Rate-limit overrides (sqlite_rate_limits.cc)
  Status SetWorkspaceRateLimits(const WorkspaceRateLimits& limits) override;
  Status ClearWorkspaceRateLimits(std::string_view workspace_id) override;
  Result<std::vector<WorkspaceRateLimits>> ListWorkspaceRateLimits() override;

  Status Ping() override;

  // SchemaRegistry (sqlite_schema_registry.cc)
  Result<std::vector<SchemaConflict>> RegisterSchema(std::string_view workspace_id,
                                                     const SchemaObservation& observation) override;
  Result<WorkspaceSchema> LoadSchema(std::string_view workspace_id) override;
  Result<std::vector<SchemaEvent>> ListSchema(std::string_view workspace_id) override;
  Result<PropertyType> ChangePropertyType(std::string_view workspace_id, SchemaSection section,
                                          std::string_view name, PropertyType type) override;
  Status DeleteProperty(std::string_view workspace_id, SchemaSection section,
                        std::string_view name) override;

  // DeadLetterStore (sqlite_dead_letters.cc)
  Status AddDeadLetter(const DeadLetter& letter) override;
  Result<DeadLetterPage> ListDeadLetters(std::string_view workspace_id, std::string_view cursor,
                                         int limit) override;
  Result<DeadLetter> GetDeadLetter(std::string_view workspace_id, std::string_view id) override;
  Status RecordReplayAttempt(const ReplayAttempt& attempt) override;
  Result<std::vector<ReplayAttempt>> ListReplayAttempts(std::string_view workspace_id,
                                                        std::string_view dead_letter_id) override;

 private:
  // The helpers below REQUIRE mutex_ held.
  // Ok when the workspace exists, else NotFound.
  Status CheckWorkspaceExists(std::string_view workspace_id);
  Result<std::vector<SchemaEvent>> ReadSchema(std::string_view workspace_id);
  Status InsertWorkspace(const Workspace& workspace);
  Status InsertApiKey(const ApiKey& key);
  Result<ApiKey> FindKey(std::string_view sql, std::string_view value, std::string_view what);
  Result<Workspace> FindWorkspace(std::string_view sql, std::string_view value,
                                  std::string_view what);

  std::mutex mutex_;
  std::unique_ptr<SqliteConnection> connection_;  // guarded by mutex_
};

// Opens (creating it and its parent directory if missing) the SQLite metadata
// database at `path`. It does not migrate: check the schema first with the
// migrator's CheckCurrent(), or run `cdp migrate up`.
Result<std::unique_ptr<SqliteMetaStore>> OpenSqliteMetaStore(const std::string& path);

}  // namespace cdp
