// The audit log on SQLite: table audit_log (migration 0007), append-only,
// read newest first through the (workspace_id, id) index.

#include "meta/sqlite/sqlite_audit_log.h"

#include <fmt/format.h>

#include <chrono>
#include <utility>
#include <vector>

#include "core/uuid.h"
#include "meta/sqlite/sqlite_connection.h"
#include "meta/sqlite/sqlite_values.h"

namespace cdp {

namespace {

constexpr char kAuditColumns[] =
    "SELECT id, workspace_id, at, actor_kind, actor_id, actor_label, action, target_kind, "
    "target_id, details, ip, request_id FROM audit_log ";

// Columns in kAuditColumns order.
Result<AuditEntry> ReadAuditEntry(const SqliteStatement& row) {
  AuditEntry entry;
  entry.id = row.ColumnText(0);
  entry.workspace_id = row.ColumnText(1);
  CDP_ASSIGN_OR_RETURN(entry.at, ReadTime(row, 2, "audit_log.at"));
  const std::string kind = row.ColumnText(3);
  const std::optional<AuditActorKind> parsed = ParseAuditActorKind(kind);
  if (!parsed) return Status::Internal(fmt::format("audit_log.actor_kind is unknown: '{}'", kind));
  entry.actor = {*parsed, row.ColumnText(4), row.ColumnText(5)};
  entry.action = row.ColumnText(6);
  entry.target_kind = row.ColumnText(7);
  entry.target_id = row.ColumnText(8);
  entry.details = row.ColumnText(9);
  entry.ip = row.ColumnText(10);
  entry.request_id = row.ColumnText(11);
  return entry;
}

// Whether `details` is the text of a JSON object. Asked of SQLite's JSON
// functions (as SqliteQueryLibrary does for saved queries): a full parse, and
// no JSON library for this target to link. REQUIRES: the caller serializes
// use of `connection`.
Status CheckDetails(SqliteConnection& connection, std::string_view details) {
  CDP_ASSIGN_OR_RETURN(auto select, connection.Prepare("SELECT CASE WHEN json_valid(?1) "
                                                       "THEN json_type(?1) = 'object' ELSE 0 END"));
  CDP_RETURN_IF_ERROR(select.BindText(1, details));
  CDP_ASSIGN_OR_RETURN(const bool row, select.Step());
  if (!row || select.ColumnInt64(0) == 0) {
    return Status::BadRequest("details must be a JSON object", "details");
  }
  return Status::Ok();
}

// The cursor is the id of the previous page's last entry, the scheme of the
// other listings of this database (dead letters, saved queries). Only a
// UUIDv7 in lower-case canonical form, as the log's ids are, is one.
Status CheckCursor(std::string_view cursor) {
  const std::optional<Uuid> uuid = Uuid::Parse(cursor);
  if (!uuid || uuid->version() != 7 || uuid->ToString() != cursor) {
    return Status::BadRequest("cursor must be a next_cursor returned by an earlier page", "cursor");
  }
  return Status::Ok();
}

// Times are stored as whole milliseconds; a bound with a fraction of one is
// rounded up, which keeps both "at >= since" and "at < until" exact for
// stored times.
std::string TimeBound(TimePoint t) {
  return FormatIso8601(std::chrono::ceil<std::chrono::milliseconds>(t));
}

// What a filter binds: parameters ?4 onwards, in clause order.
struct FilterSql {
  std::string where;
  std::vector<std::string> values;
};

FilterSql BuildFilter(const AuditFilter& filter) {
  FilterSql sql;
  const auto add = [&](std::string_view clause, std::string value) {
    sql.values.push_back(std::move(value));
    sql.where += fmt::format(fmt::runtime(clause), 3 + sql.values.size());
  };
  if (filter.action) {
    const std::string& action = *filter.action;
    if (!action.empty() && action.back() == '.') {
      // A prefix: a byte range, since text compares bytewise and the byte
      // after '.' is '/'. LIKE would need escaping of '_' and '%'.
      add("AND action >= ?{} ", action);
      add("AND action < ?{} ", action.substr(0, action.size() - 1) + "/");
    } else {
      add("AND action = ?{} ", action);
    }
  }
  if (filter.actor_id) add("AND actor_id = ?{} ", *filter.actor_id);
  if (filter.target_id) add("AND target_id = ?{} ", *filter.target_id);
  if (filter.since) add("AND at >= ?{} ", TimeBound(*filter.since));
  if (filter.until) add("AND at < ?{} ", TimeBound(*filter.until));
  return sql;
}

Status CheckWorkspaceExists(SqliteConnection& connection, std::string_view workspace_id) {
  CDP_ASSIGN_OR_RETURN(auto select, connection.Prepare("SELECT 1 FROM workspaces WHERE id = ?1"));
  CDP_RETURN_IF_ERROR(select.BindText(1, workspace_id));
  CDP_ASSIGN_OR_RETURN(const bool found, select.Step());
  if (!found) {
    return Status::NotFound(fmt::format("workspace {} not found", workspace_id))
        .WithField("workspace_id");
  }
  return Status::Ok();
}

}  // namespace

SqliteAuditLog::SqliteAuditLog(std::unique_ptr<SqliteConnection> connection)
    : connection_(std::move(connection)) {}

SqliteAuditLog::~SqliteAuditLog() = default;

Status SqliteAuditLog::AppendAudit(const AuditEntry& entry) {
  if (entry.id.empty()) return Status::BadRequest("an audit entry needs an id", "id");
  if (entry.action.empty()) return Status::BadRequest("an audit entry needs an action", "action");
  std::lock_guard lock(mutex_);
  CDP_RETURN_IF_ERROR(CheckDetails(*connection_, entry.details));
  CDP_ASSIGN_OR_RETURN(
      auto insert,
      connection_->Prepare("INSERT INTO audit_log (id, workspace_id, at, actor_kind, actor_id, "
                           "actor_label, action, target_kind, target_id, details, ip, request_id) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"));
  CDP_RETURN_IF_ERROR(insert.BindText(1, entry.id));
  CDP_RETURN_IF_ERROR(insert.BindText(2, entry.workspace_id));
  CDP_RETURN_IF_ERROR(insert.BindText(3, FormatIso8601(entry.at)));
  CDP_RETURN_IF_ERROR(insert.BindText(4, AuditActorKindName(entry.actor.kind)));
  CDP_RETURN_IF_ERROR(insert.BindText(5, entry.actor.id));
  CDP_RETURN_IF_ERROR(insert.BindText(6, entry.actor.label));
  CDP_RETURN_IF_ERROR(insert.BindText(7, entry.action));
  CDP_RETURN_IF_ERROR(insert.BindText(8, entry.target_kind));
  CDP_RETURN_IF_ERROR(insert.BindText(9, entry.target_id));
  CDP_RETURN_IF_ERROR(insert.BindText(10, entry.details));
  CDP_RETURN_IF_ERROR(insert.BindText(11, entry.ip));
  CDP_RETURN_IF_ERROR(insert.BindText(12, entry.request_id));
  Status status = insert.Run();
  if (status.code() == ErrorCode::kNotFound) {  // the foreign key
    return Reword(status, fmt::format("workspace {} not found", entry.workspace_id),
                  "workspace_id");
  }
  if (status.code() == ErrorCode::kConflict) {
    return Reword(status, fmt::format("an audit entry with id {} already exists", entry.id), "id");
  }
  return status;
}

Result<AuditPage> SqliteAuditLog::ListAudit(std::string_view workspace_id,
                                            const AuditFilter& filter, std::string_view cursor,
                                            int limit) {
  if (limit < 1 || limit > kMaxAuditPageSize) {
    return Status::BadRequest(fmt::format("limit must be from 1 to {}", kMaxAuditPageSize),
                              "limit");
  }
  if (!cursor.empty()) CDP_RETURN_IF_ERROR(CheckCursor(cursor));
  const FilterSql filter_sql = BuildFilter(filter);
  std::lock_guard lock(mutex_);
  // Two statements rather than "?3 = '' OR id < ?3", which would keep SQLite
  // from seeking the (workspace_id, id) index to the cursor.
  std::string sql = std::string(kAuditColumns) + "WHERE workspace_id = ?1 ";
  if (!cursor.empty()) sql += "AND id < ?3 ";
  sql += filter_sql.where;
  sql += "ORDER BY id DESC LIMIT ?2";
  CDP_ASSIGN_OR_RETURN(auto select, connection_->Prepare(sql));
  CDP_RETURN_IF_ERROR(select.BindText(1, workspace_id));
  CDP_RETURN_IF_ERROR(select.BindInt64(2, int64_t{limit} + 1));  // one more shows a next page
  if (!cursor.empty()) CDP_RETURN_IF_ERROR(select.BindText(3, cursor));
  for (size_t i = 0; i < filter_sql.values.size(); ++i) {
    CDP_RETURN_IF_ERROR(select.BindText(static_cast<int>(4 + i), filter_sql.values[i]));
  }
  AuditPage page;
  while (true) {
    CDP_ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row) break;
    if (page.entries.size() == static_cast<size_t>(limit)) {
      page.next_cursor = page.entries.back().id;
      break;
    }
    CDP_ASSIGN_OR_RETURN(auto entry, ReadAuditEntry(select));
    page.entries.push_back(std::move(entry));
  }
  if (page.entries.empty()) CDP_RETURN_IF_ERROR(CheckWorkspaceExists(*connection_, workspace_id));
  return page;
}

Result<std::unique_ptr<SqliteAuditLog>> OpenSqliteAuditLog(const std::string& path) {
  CDP_ASSIGN_OR_RETURN(auto connection, SqliteConnection::Open(path));
  return std::make_unique<SqliteAuditLog>(std::move(connection));
}

}  // namespace cdp
