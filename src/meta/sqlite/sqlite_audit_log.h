#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/result.h"
#include "meta/audit_log.h"

namespace cdp {

class SqliteConnection;

// AuditLog on the SQLite metadata database: table audit_log (migration
// 0007).
//
// It holds its own connection to the metadata file, beside SqliteMetaStore's
// (as SqliteQueryLibrary does): recording an action or reading the log never
// queues behind the ingestion path's key and schema checks.
// Thread safety: as the interface; one call at a time on the connection.
class SqliteAuditLog final : public AuditLog {
 public:
  // Use OpenSqliteAuditLog(); this is for callers holding a connection.
  explicit SqliteAuditLog(std::unique_ptr<SqliteConnection> connection);
  ~SqliteAuditLog() override;

  Status AppendAudit(const AuditEntry& entry) override;
  // Also BadRequest (field "limit") for a limit outside 1 to
  // kMaxAuditPageSize, and NotFound (field "workspace_id") when the
  // workspace does not exist. The cursor is the id of the last entry of the
  // previous page; any well-formed UUIDv7 is a position, anything else is
  // refused.
  Result<AuditPage> ListAudit(std::string_view workspace_id, const AuditFilter& filter,
                              std::string_view cursor, int limit) override;

 private:
  std::mutex mutex_;
  std::unique_ptr<SqliteConnection> connection_;  // guarded by mutex_
};

// Opens (creating it and its parent directory if missing) the SQLite metadata
// database at `path` for the audit log. It does not migrate: see
// OpenSqliteMetaStore.
Result<std::unique_ptr<SqliteAuditLog>> OpenSqliteAuditLog(const std::string& path);

}  // namespace cdp
